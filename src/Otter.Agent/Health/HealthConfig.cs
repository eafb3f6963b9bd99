using System.Text.Json.Serialization;

namespace Otter.Agent.Health;

/// <summary><c>health.json</c>: the probes every trial boot must pass, besides the boot chain itself.</summary>
public sealed record HealthConfig
{
    /// <summary>The probes, run in order; all must pass.</summary>
    [JsonPropertyName("probes")]
    public IReadOnlyList<HealthProbe> Probes { get; set; } = [];
}
