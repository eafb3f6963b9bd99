using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otter.Trust.Bundles;

/// <summary>One boot-chain stage: its plain name, SHA-256 and length.</summary>
public sealed record BootStage
{
    /// <summary>A plain name (letters, digits, '.', '-', '_'; no paths), e.g. <c>fsbl</c>, <c>os</c>, <c>model</c>.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Lower-case hex SHA-256 of the stage.</summary>
    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }

    /// <summary>Length in bytes.</summary>
    [JsonPropertyName("length")]
    public required long Length { get; init; }

    /// <summary>Fields this version does not know (kept; signatures cover them).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }
}
