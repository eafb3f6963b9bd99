namespace Otter.Trust.Tuf.Client;

/// <summary>Turns delegated role names, which come from repository metadata, into safe file and store names.</summary>
internal static class DelegatedRoleNames
{
    /// <summary>
    /// The name the role's metadata is stored and fetched under: the role name with every
    /// character outside <c>A-Z a-z 0-9 - . _ ~</c> percent-encoded, as python-tuf does.
    /// </summary>
    /// <exception cref="TufException">The name could be confused with a top-level role or a directory.</exception>
    public static string Encode(string role)
    {
        if (role.Length == 0 || role is "." or ".." || TufRoles.TopLevel.Any(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase)))
        {
            throw new TufException(
                $"the delegated role name \"{role}\" was refused: it could be confused with a top-level role or a directory in the metadata store. The repository must rename the role.");
        }

        return Uri.EscapeDataString(role);
    }

    /// <summary>The file name of the role's metadata in the repository.</summary>
    public static string FileName(string role, long version, bool consistentSnapshot) =>
        consistentSnapshot ? $"{version}.{Encode(role)}.json" : $"{Encode(role)}.json";
}
