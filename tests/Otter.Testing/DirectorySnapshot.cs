using System.Security.Cryptography;

namespace Otter.Testing;

/// <summary>Every file under a directory with its SHA-256, to prove that a refused step changed nothing.</summary>
public static class DirectorySnapshot
{
    public static SortedDictionary<string, string> Take(string directory)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            // A lock file holds nothing and may be held open exclusively by a background writer (metadata refresh).
            if (Path.GetFileName(file) == ".otter-lock")
            {
                result[Path.GetRelativePath(directory, file)] = "lock";
                continue;
            }

            result[Path.GetRelativePath(directory, file)] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories))
        {
            result[Path.GetRelativePath(directory, dir) + "/"] = "dir";
        }

        return result;
    }

    public static void Copy(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, dir)));
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
        }
    }
}
