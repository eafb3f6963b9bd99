using System.Text.Json.Serialization;

namespace Otter.Agent.Platform;

/// <summary>The outcome of the last install or boot, kept for the next report.</summary>
public sealed record AgentResult
{
    /// <summary><c>installed</c>, <c>rejected</c>, <c>committed</c>, <c>rolled-back</c>, <c>recovery</c>, <c>booted</c>, <c>no-bootable-slot</c>.</summary>
    [JsonPropertyName("outcome")]
    public required string Outcome { get; init; }

    /// <summary>The slot concerned.</summary>
    [JsonPropertyName("slot")]
    public string? Slot { get; init; }

    /// <summary>The version concerned.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    /// <summary>Why, in one sentence.</summary>
    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    /// <summary>When.</summary>
    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }
}
