using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf;

/// <summary>TUF timestamp metadata: the current snapshot version.</summary>
public sealed record TimestampMetadata : SignedMetadata
{
    /// <summary>The single entry <c>snapshot.json</c>.</summary>
    [JsonPropertyName("meta")]
    public required IReadOnlyDictionary<string, MetaFile> Meta { get; init; }

    /// <summary>The snapshot entry, or null when the metadata lacks it.</summary>
    [JsonIgnore]
    public MetaFile? SnapshotMeta => Meta.TryGetValue("snapshot.json", out var meta) ? meta : null;
}
