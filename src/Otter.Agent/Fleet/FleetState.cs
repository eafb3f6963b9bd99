using System.Text.Json.Serialization;
using Otter.Trust.Attestation;

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

    /// <summary>Whether the server quarantined the device at the last check-in (only remediation answers).</summary>
    [JsonPropertyName("quarantined")]
    public bool Quarantined { get; init; }

    /// <summary>The last quotes the device sent, oldest first (evidence for a forensic bundle); kept here so a check-in stays one write.</summary>
    [JsonPropertyName("recent_quotes")]
    public IReadOnlyList<AttestationQuote> RecentQuotes { get; init; } = [];
}
