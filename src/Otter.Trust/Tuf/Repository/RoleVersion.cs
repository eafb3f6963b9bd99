namespace Otter.Trust.Tuf.Repository;

/// <summary>A role's metadata version and expiry after a change.</summary>
public sealed record RoleVersion(string Role, long Version, DateTimeOffset Expires, bool Changed);
