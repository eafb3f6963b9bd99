using Otter.Trust.Attestation;

namespace Otter.Protocol.Device;

/// <summary><c>POST /device/v1/checkin</c>: the device's state; answered with its assigned action.</summary>
public sealed record CheckInRequest
{
    /// <summary>The slot the boot loader starts.</summary>
    public string? ActiveSlot { get; init; }

    /// <summary>The slot that is running now.</summary>
    public string? BootedSlot { get; init; }

    /// <summary>Every slot by name.</summary>
    public IReadOnlyDictionary<string, SlotReport> Slots { get; set; } = new Dictionary<string, SlotReport>();

    /// <summary>The device's stored anti-rollback counter.</summary>
    public long SecurityCounter { get; init; }

    /// <summary>The last install or boot outcome.</summary>
    public ResultReport? LastResult { get; init; }

    /// <summary><c>healthy</c>, <c>unhealthy</c> or <c>unknown</c>.</summary>
    public string? Health { get; init; }

    /// <summary>A quote over the nonce the server handed out at the previous check-in.</summary>
    public AttestationQuote? Quote { get; init; }
}
