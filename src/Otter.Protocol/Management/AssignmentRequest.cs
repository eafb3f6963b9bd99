namespace Otter.Protocol.Management;

/// <summary><c>POST /api/v1/devices/{id}/assignment</c>.</summary>
public sealed record AssignmentRequest
{
    /// <summary>The release name to install.</summary>
    public required string Release { get; init; }
}
