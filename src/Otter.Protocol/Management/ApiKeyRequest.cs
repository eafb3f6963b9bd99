namespace Otter.Protocol.Management;

/// <summary><c>POST /api/v1/api-keys</c>.</summary>
public sealed record ApiKeyRequest
{
    /// <summary>A name for people (shown in the audit log).</summary>
    public required string Name { get; init; }

    /// <summary>One of <see cref="Roles"/>.</summary>
    public required string Role { get; init; }
}
