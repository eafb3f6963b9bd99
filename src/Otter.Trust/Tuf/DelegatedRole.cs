using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf;

/// <summary>A role delegated by targets metadata, trusted for some target paths.</summary>
public sealed record DelegatedRole
{
    /// <summary>The role name; its metadata is <c>&lt;name&gt;.json</c>.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Key ids trusted for the role (keys are in the delegating metadata).</summary>
    [JsonPropertyName("keyids")]
    public required IReadOnlyList<string> KeyIds { get; init; }

    /// <summary>How many distinct keys must sign.</summary>
    [JsonPropertyName("threshold")]
    public required int Threshold { get; init; }

    /// <summary>When true, a search that reaches this role for a matching path stops here.</summary>
    [JsonPropertyName("terminating")]
    public bool Terminating { get; init; }

    /// <summary>Path patterns (shell-style, <c>*</c> does not cross <c>/</c>).</summary>
    [JsonPropertyName("paths")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Paths { get; init; }

    /// <summary>Hex prefixes of SHA-256 of the target path.</summary>
    [JsonPropertyName("path_hash_prefixes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? PathHashPrefixes { get; init; }

    /// <summary>Fields this version does not know.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }
}
