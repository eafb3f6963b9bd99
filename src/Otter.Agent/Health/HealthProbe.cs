using System.Text.Json.Serialization;

namespace Otter.Agent.Health;

/// <summary>One health probe: a command that must exit 0, or a URL that must answer 2xx.</summary>
public sealed record HealthProbe
{
    /// <summary>A shell command (run with <c>sh -c</c>; <c>OTTER_SLOT_DIR</c> and <c>OTTER_VERSION</c> are set).</summary>
    [JsonPropertyName("command")]
    public string? Command { get; init; }

    /// <summary>An HTTP(S) URL that must answer with a 2xx status.</summary>
    [JsonPropertyName("url")]
    public string? Url { get; init; }

    /// <summary>Seconds before the probe counts as failed.</summary>
    [JsonPropertyName("timeout_seconds")]
    public int TimeoutSeconds { get; set; } = 30;
}
