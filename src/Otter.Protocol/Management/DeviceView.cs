using Otter.Protocol.Device;

namespace Otter.Protocol.Management;

/// <summary>A device's inventory record.</summary>
public sealed record DeviceView
{
    /// <summary>The device id (factory serial).</summary>
    public required string Id { get; init; }

    /// <summary>The hardware id.</summary>
    public required string Hardware { get; init; }

    /// <summary><c>pending</c>, <c>approved</c>, <c>quarantined</c> or <c>decommissioned</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Operator tags.</summary>
    public IReadOnlyList<string> Tags { get; set; } = [];

    /// <summary>Operator attributes.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; set; } = new Dictionary<string, string>();

    /// <summary>The slot the boot loader starts.</summary>
    public string? ActiveSlot { get; init; }

    /// <summary>Every slot as last reported.</summary>
    public IReadOnlyDictionary<string, SlotReport> Slots { get; set; } = new Dictionary<string, SlotReport>();

    /// <summary>The device's stored anti-rollback counter.</summary>
    public long SecurityCounter { get; init; }

    /// <summary>When the device last checked in.</summary>
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>Last reported health.</summary>
    public string? Health { get; init; }

    /// <summary><c>good</c>, <c>mismatch</c>, <c>bad-signature</c>, <c>stale-nonce</c> or <c>unknown</c>.</summary>
    public required string Attestation { get; init; }

    /// <summary>Why the attestation verdict is what it is.</summary>
    public string? AttestationDetail { get; init; }

    /// <summary>The last measurement the device quoted.</summary>
    public string? Measurement { get; init; }

    /// <summary>The last install or boot outcome.</summary>
    public ResultReport? LastResult { get; init; }

    /// <summary>The release the device is assigned, if any.</summary>
    public string? AssignedRelease { get; init; }

    /// <summary>The state of that assignment: <c>pending</c>, a report phase, or <c>done</c>.</summary>
    public string? AssignmentState { get; init; }

    /// <summary>Whether the device is quarantined (only remediation endpoints answer it).</summary>
    public bool Quarantined { get; init; }

    /// <summary>Ids of the device's open incidents.</summary>
    public IReadOnlyList<long> OpenIncidents { get; set; } = [];

    /// <summary>When it enrolled.</summary>
    public DateTimeOffset EnrolledAt { get; init; }
}
