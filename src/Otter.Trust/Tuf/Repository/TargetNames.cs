namespace Otter.Trust.Tuf.Repository;

/// <summary>Rules for target names: relative, '/'-separated, no empty, '.' or '..' segments.</summary>
public static class TargetNames
{
    /// <summary>Longest target name accepted.</summary>
    public const int MaxLength = 512;

    /// <summary>Returns null when <paramref name="name"/> is acceptable, else why it is not.</summary>
    public static string? Check(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return "is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            return "contains a backslash; use '/' between directories";
        }

        if (name.StartsWith('/'))
        {
            return "is an absolute path; target names are relative";
        }

        if (name.Any(char.IsControl))
        {
            return "contains a control character";
        }

        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                return "has an empty, '.' or '..' path segment; target names may not leave the targets directory";
            }
        }

        return null;
    }

    /// <summary>
    /// The path of a target's file under <c>targets/</c> with consistent snapshots:
    /// <c>dir/&lt;sha256&gt;.basename</c>.
    /// </summary>
    public static string HashPrefixedPath(string name, string sha256Hex)
    {
        ArgumentNullException.ThrowIfNull(name);
        var slash = name.LastIndexOf('/');
        return slash < 0 ? $"{sha256Hex}.{name}" : $"{name[..(slash + 1)]}{sha256Hex}.{name[(slash + 1)..]}";
    }
}
