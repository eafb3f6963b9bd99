namespace Otter.Trust.Tuf.Repository;

/// <summary>The current, self-verified metadata of a repository directory.</summary>
internal sealed record RepositoryState(
    Metadata<RootMetadata> Root,
    Metadata<TargetsMetadata> Targets,
    Metadata<SnapshotMetadata> Snapshot,
    Metadata<TimestampMetadata> Timestamp,
    RepositoryConfig Config);
