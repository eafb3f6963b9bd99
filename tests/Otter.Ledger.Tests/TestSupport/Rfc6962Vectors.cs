namespace Otter.Ledger.Tests.TestSupport;

/// <summary>
/// Finds the shared RFC 6962 / RFC 9162 proof vectors (from transparency-dev/merkle), which
/// live outside the repository at <c>../shared/testdata/rfc6962</c> relative to the directory
/// holding <c>Otter.slnx</c>. They are read in place, never copied into the project.
/// </summary>
public static class Rfc6962Vectors
{
    /// <summary>The solution file that marks the project root.</summary>
    public const string SolutionFile = "Otter.slnx";

    /// <summary>The vectors' path relative to the project root.</summary>
    public static readonly string RelativeToProjectRoot = Path.Combine("..", "shared", "testdata", "rfc6962");

    private static readonly Lazy<string?> Located = new(Locate);

    /// <summary>The vectors' directory, or null when it is not there.</summary>
    public static string? Directory => Located.Value;

    /// <summary>Null when the vectors are there, else why not.</summary>
    public static string? MissingReason =>
        Directory is not null
            ? null
            : $"the RFC 6962 proof vectors were not found at {RelativeToProjectRoot} next to the directory holding {SolutionFile} (searched up from {AppContext.BaseDirectory}), nor at OTTER_RFC6962_VECTORS";

    /// <summary>Whether this is a CI run (<c>CI=true</c>), where missing vectors fail instead of skipping.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The xUnit skip reason: null when the vectors are there or under CI.</summary>
    public static string? SkipReason => MissingReason is { } missing && !IsCi ? $"{missing}; skipped locally, with CI=true this fails" : null;

    /// <summary>
    /// The vector files under <paramref name="kind"/> (<c>inclusion</c> or <c>consistency</c>),
    /// as paths relative to the vectors' directory with forward slashes, sorted.
    /// </summary>
    public static IReadOnlyList<string> Files(string kind)
    {
        if (Directory is not { } root)
        {
            return [];
        }

        var folder = Path.Combine(root, kind);
        if (!System.IO.Directory.Exists(folder))
        {
            return [];
        }

        return System.IO.Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// xUnit rows, one per vector file under <paramref name="kind"/>. When the vectors are
    /// missing, one placeholder row, so that the theory is reported (skipped locally, failing
    /// under CI) instead of silently having no cases.
    /// </summary>
    public static TheoryData<VectorCase> Cases(string kind)
    {
        var data = new TheoryData<VectorCase>();
        var files = Files(kind);
        if (files.Count == 0)
        {
            data.Add(new VectorCase($"{kind}/(no vectors found)"));
            return data;
        }

        foreach (var file in files)
        {
            data.Add(new VectorCase(file));
        }

        return data;
    }

    /// <summary>The full path of the vector <paramref name="relative"/>; fails the test when the vectors are missing.</summary>
    public static string FullPath(string relative)
    {
        var root = Directory ?? throw new InvalidOperationException(MissingReason);
        return Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
    }

    private static string? Locate()
    {
        // A checkout that does not sit beside shared/ can point at the vectors explicitly.
        if (Environment.GetEnvironmentVariable("OTTER_RFC6962_VECTORS") is { Length: > 0 } configured)
        {
            return System.IO.Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                var vectors = Path.GetFullPath(Path.Combine(directory.FullName, RelativeToProjectRoot));
                return System.IO.Directory.Exists(vectors) ? vectors : null;
            }
        }

        return null;
    }
}
