using System.Text.Json.Serialization;

namespace Otter.Agent.Platform;

/// <summary>The recorded state of one slot.</summary>
public sealed record SlotInfo
{
    /// <summary>What the slot holds.</summary>
    [JsonPropertyName("state")]
    public SlotState State { get; set; } = SlotState.Empty;

    /// <summary>The installed version, when any.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    /// <summary>The installed security counter.</summary>
    [JsonPropertyName("security_counter")]
    public long SecurityCounter { get; init; }

    /// <summary>The target name it was installed from.</summary>
    [JsonPropertyName("target")]
    public string? Target { get; init; }

    /// <summary>Lower-case hex SHA-256 of the whole bundle as TUF signed it, when known.</summary>
    [JsonPropertyName("bundle_sha256")]
    public string? BundleSha256 { get; init; }

    /// <summary>Lower-case hex SHA-256 of the slot's boot manifest document.</summary>
    [JsonPropertyName("manifest_sha256")]
    public string? ManifestSha256 { get; init; }
}
