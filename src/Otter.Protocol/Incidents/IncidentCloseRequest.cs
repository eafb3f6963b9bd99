namespace Otter.Protocol.Incidents;

/// <summary><c>POST /api/v1/incidents/{id}/close</c>: the post-mortem.</summary>
public sealed record IncidentCloseRequest
{
    /// <summary>What caused it.</summary>
    public required string RootCause { get; init; }

    /// <summary>What keeps it from happening again.</summary>
    public required string Prevention { get; init; }
}
