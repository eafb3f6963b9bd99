namespace Otter.Server.Devices;

/// <summary>The columns a routine check-in changes, written behind the response.</summary>
internal sealed record DeviceCheckInState(
    string DeviceId,
    DateTimeOffset LastSeen,
    string? ActiveSlot,
    string? BootedSlot,
    long SecurityCounter,
    string? Health,
    string SlotsJson,
    string? LastResultJson,
    string? PendingNonce,
    string Attestation,
    string? AttestationDetail,
    string? Measurement);
