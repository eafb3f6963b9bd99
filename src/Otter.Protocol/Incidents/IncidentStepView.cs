namespace Otter.Protocol.Incidents;

/// <summary>One step of an incident's timeline.</summary>
public sealed record IncidentStepView
{
    /// <summary>When.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>Who: <c>system</c>, <c>device:ID</c> or <c>key:NAME</c>.</summary>
    public required string Actor { get; init; }

    /// <summary>One of <see cref="IncidentPhases"/>.</summary>
    public required string Phase { get; init; }

    /// <summary>What was done, e.g. <c>detected</c>, <c>quarantined</c>, <c>reimage-requested</c>, <c>note</c>.</summary>
    public required string Action { get; init; }

    /// <summary>Details and evidence in words.</summary>
    public string? Detail { get; init; }
}
