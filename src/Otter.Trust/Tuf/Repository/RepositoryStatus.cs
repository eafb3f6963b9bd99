namespace Otter.Trust.Tuf.Repository;

/// <summary>Keys and expiry of every top-level role of a repository.</summary>
public sealed record RepositoryStatus(string Directory, int OnlineKeyLifetimeDays, int TargetCount, IReadOnlyList<RoleStatus> Roles);
