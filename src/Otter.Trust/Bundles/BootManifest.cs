using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otter.Trust.Bundles;

/// <summary>
/// What the boot key signs for a release: the stages in boot order (first-stage bootloader,
/// second-stage bootloader, OS, application, optionally a model), the version, the
/// anti-rollback security counter and the hardware it is for.
/// </summary>
public sealed record BootManifest
{
    /// <summary>The manifest type and version.</summary>
    public const string ManifestType = "otter.boot-manifest/v1";

    /// <summary>Always <see cref="ManifestType"/>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; set; } = ManifestType;

    /// <summary>The display version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>The anti-rollback counter; devices refuse anything below theirs.</summary>
    [JsonPropertyName("security_counter")]
    public required long SecurityCounter { get; init; }

    /// <summary>The hardware id the release is for.</summary>
    [JsonPropertyName("hardware")]
    public required string Hardware { get; init; }

    /// <summary>The stages in boot order.</summary>
    [JsonPropertyName("stages")]
    public required IReadOnlyList<BootStage> Stages { get; init; }

    /// <summary>Fields this version does not know (kept; signatures cover them).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }
}
