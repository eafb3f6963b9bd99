namespace Otter.Trust.Tuf.Repository;

/// <summary>What a repository change produced: the current version and expiry of each role.</summary>
public sealed record RepositoryChange(
    string Directory,
    IReadOnlyList<RoleVersion> Roles,
    IReadOnlyList<string> WrittenFiles);
