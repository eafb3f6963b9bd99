using System.Text.Json.Serialization;
using Otter.Trust.Keys;

namespace Otter.Trust.Tuf;

/// <summary>TUF root metadata: the keys and thresholds of every top-level role.</summary>
public sealed record RootMetadata : SignedMetadata
{
    /// <summary>Whether the repository serves version-prefixed metadata and hash-prefixed targets.</summary>
    [JsonPropertyName("consistent_snapshot")]
    public bool ConsistentSnapshot { get; init; }

    /// <summary>Every key any top-level role uses, by key id.</summary>
    [JsonPropertyName("keys")]
    public required IReadOnlyDictionary<string, TufKey> Keys { get; init; }

    /// <summary>The four top-level roles.</summary>
    [JsonPropertyName("roles")]
    public required IReadOnlyDictionary<string, RoleKeys> Roles { get; init; }
}
