namespace Otter.Protocol.Incidents;

/// <summary>An incident: what fired, on which device, and every step taken since, oldest first.</summary>
public sealed record IncidentView
{
    /// <summary>The incident id.</summary>
    public long Id { get; init; }

    /// <summary>The device concerned.</summary>
    public required string DeviceId { get; init; }

    /// <summary>What opened it: one of <see cref="IncidentKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary><c>critical</c>, <c>high</c>, <c>warning</c> or <c>info</c>.</summary>
    public required string Severity { get; init; }

    /// <summary><c>open</c> or <c>closed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>One sentence for people.</summary>
    public required string Title { get; init; }

    /// <summary>When it was opened.</summary>
    public DateTimeOffset OpenedAt { get; init; }

    /// <summary>Who opened it (<c>system</c> for a detector, <c>key:NAME</c> for an operator).</summary>
    public required string OpenedBy { get; init; }

    /// <summary>When it was closed.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>Who closed it.</summary>
    public string? ClosedBy { get; init; }

    /// <summary>Post-mortem: the root cause.</summary>
    public string? RootCause { get; init; }

    /// <summary>Post-mortem: what prevents it from happening again.</summary>
    public string? Prevention { get; init; }

    /// <summary>Every step, oldest first.</summary>
    public IReadOnlyList<IncidentStepView> Timeline { get; set; } = [];

    /// <summary>Forensic bundles requested for the incident, with their chain of custody.</summary>
    public IReadOnlyList<EvidenceView> Evidence { get; set; } = [];
}
