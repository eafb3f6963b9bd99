using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf;

/// <summary>TUF snapshot metadata: the version of every targets metadata file.</summary>
public sealed record SnapshotMetadata : SignedMetadata
{
    /// <summary>Targets metadata files (<c>targets.json</c>, <c>&lt;role&gt;.json</c>) and their versions.</summary>
    [JsonPropertyName("meta")]
    public required IReadOnlyDictionary<string, MetaFile> Meta { get; init; }
}
