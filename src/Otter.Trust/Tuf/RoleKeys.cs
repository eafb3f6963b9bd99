using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf;

/// <summary>The keys trusted for a top-level role and how many of them must sign.</summary>
public sealed record RoleKeys
{
    /// <summary>Key ids of the keys trusted for the role.</summary>
    [JsonPropertyName("keyids")]
    public required IReadOnlyList<string> KeyIds { get; init; }

    /// <summary>How many distinct keys must sign.</summary>
    [JsonPropertyName("threshold")]
    public required int Threshold { get; init; }

    /// <summary>Fields this version does not know.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }
}
