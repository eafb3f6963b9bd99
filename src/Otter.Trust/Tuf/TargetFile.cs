using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf;

/// <summary>One target listed in targets metadata.</summary>
public sealed record TargetFile
{
    /// <summary>Length in bytes.</summary>
    [JsonPropertyName("length")]
    public required long Length { get; init; }

    /// <summary>Hashes (algorithm -> lower-case hex); Otter writes and requires <c>sha256</c>.</summary>
    [JsonPropertyName("hashes")]
    public required IReadOnlyDictionary<string, string> Hashes { get; init; }

    /// <summary>Free-form data the repository attaches to the target (version, hardware, log index...).</summary>
    [JsonPropertyName("custom")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Custom { get; init; }

    /// <summary>Fields this version does not know.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }
}
