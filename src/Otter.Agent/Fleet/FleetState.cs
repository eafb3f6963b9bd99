using System.Text.Json.Serialization;

namespace Otter.Agent.Fleet;

/// <summary><c>fleet/state.json</c>: what the agent keeps from one check-in to the next.</summary>
internal sealed record FleetState
{
    /// <summary>The nonce the server handed out at the last check-in, to be quoted at the next.</summary>
    [JsonPropertyName("attestation_nonce")]
    public string? AttestationNonce { get; init; }

    /// <summary>When the last check-in went through.</summary>
    [JsonPropertyName("last_check_in")]
    public DateTimeOffset? LastCheckIn { get; init; }
}
