using System.Text.Json;
using System.Text.Json.Serialization;
using Otter.Trust.Keys;

namespace Otter.Trust.Tuf;

/// <summary>The delegations of a targets role: keys and delegated roles in priority order.</summary>
public sealed record Delegations
{
    /// <summary>Keys used by the delegated roles, by key id.</summary>
    [JsonPropertyName("keys")]
    public required IReadOnlyDictionary<string, TufKey> Keys { get; init; }

    /// <summary>Delegated roles, highest priority first.</summary>
    [JsonPropertyName("roles")]
    public required IReadOnlyList<DelegatedRole> Roles { get; init; }

    /// <summary>Fields this version does not know.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }
}
