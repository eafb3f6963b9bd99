namespace Otter.Protocol.Incidents;

/// <summary><c>POST /api/v1/incidents/{id}/notes</c>: an operator's timeline entry.</summary>
public sealed record IncidentNoteRequest
{
    /// <summary>One of <see cref="IncidentPhases"/>.</summary>
    public required string Phase { get; init; }

    /// <summary>The note.</summary>
    public required string Text { get; init; }
}
