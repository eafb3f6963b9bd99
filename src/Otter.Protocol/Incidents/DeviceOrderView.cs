namespace Otter.Protocol.Incidents;

/// <summary>The answer to a remediation order (quarantine, re-image, collect, wipe).</summary>
public sealed record DeviceOrderView
{
    /// <summary>The device.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The device's status after the order.</summary>
    public required string Status { get; init; }

    /// <summary>The incident the order is recorded in.</summary>
    public long? IncidentId { get; init; }

    /// <summary>The forensic request id (for <c>collect</c>).</summary>
    public long? EvidenceId { get; init; }

    /// <summary>What happens next, in words.</summary>
    public required string Message { get; init; }
}
