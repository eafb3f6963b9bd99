namespace Otter.Trust.Tuf.Repository;

/// <summary>A target added to a repository.</summary>
public sealed record AddedTarget(string Name, long Length, string Sha256, string StoredPath, RepositoryChange Change);
