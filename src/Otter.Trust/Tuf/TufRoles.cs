namespace Otter.Trust.Tuf;

/// <summary>The four top-level TUF role names and their metadata file names.</summary>
public static class TufRoles
{
    /// <summary>The root role.</summary>
    public const string Root = "root";

    /// <summary>The top-level targets role.</summary>
    public const string Targets = "targets";

    /// <summary>The snapshot role.</summary>
    public const string Snapshot = "snapshot";

    /// <summary>The timestamp role.</summary>
    public const string Timestamp = "timestamp";

    /// <summary>The TUF specification version Otter writes.</summary>
    public const string SpecVersion = "1.0.31";

    /// <summary>All top-level roles, root first.</summary>
    public static IReadOnlyList<string> TopLevel { get; } = [Root, Targets, Snapshot, Timestamp];

    /// <summary>Whether <paramref name="role"/> is a top-level role name.</summary>
    public static bool IsTopLevel(string role) => role is Root or Targets or Snapshot or Timestamp;
}
