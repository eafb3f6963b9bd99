using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf;

/// <summary>TUF targets metadata: target files and delegations.</summary>
public sealed record TargetsMetadata : SignedMetadata
{
    /// <summary>Targets by path.</summary>
    [JsonPropertyName("targets")]
    public required IReadOnlyDictionary<string, TargetFile> Targets { get; init; }

    /// <summary>Delegated roles, if any.</summary>
    [JsonPropertyName("delegations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Delegations? Delegations { get; init; }
}
