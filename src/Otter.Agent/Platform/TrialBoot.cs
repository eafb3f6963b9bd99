using System.Text.Json.Serialization;

namespace Otter.Agent.Platform;

/// <summary>A slot waiting to be tried, with the boots it may still start.</summary>
public sealed record TrialBoot
{
    /// <summary>The slot to try.</summary>
    [JsonPropertyName("slot")]
    public required string Slot { get; init; }

    /// <summary>Trial boots left; each boot that starts takes one, and a boot that never reaches a health verdict does not give it back.</summary>
    [JsonPropertyName("attempts_left")]
    public required int AttemptsLeft { get; init; }
}
