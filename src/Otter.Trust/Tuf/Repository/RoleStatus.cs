namespace Otter.Trust.Tuf.Repository;

/// <summary>The state of one role: its keys, its metadata and, for online roles, the key's lifetime.</summary>
public sealed record RoleStatus(
    string Role,
    IReadOnlyList<string> KeyIds,
    int Threshold,
    long MetadataVersion,
    DateTimeOffset MetadataExpires,
    double MetadataDaysLeft,
    DateTimeOffset? KeyFirstUsed,
    DateTimeOffset? KeyNotAfter,
    double? KeyDaysLeft);
