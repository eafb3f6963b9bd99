using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf;

/// <summary>A reference to a metadata file from snapshot or timestamp metadata.</summary>
public sealed record MetaFile
{
    /// <summary>The version of the referenced metadata.</summary>
    [JsonPropertyName("version")]
    public required long Version { get; init; }

    /// <summary>Its length in bytes, when given.</summary>
    [JsonPropertyName("length")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Length { get; init; }

    /// <summary>Its hashes (algorithm -> lower-case hex), when given.</summary>
    [JsonPropertyName("hashes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Hashes { get; init; }

    /// <summary>Fields this version does not know.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }
}
