namespace Otter.Testing;

/// <summary>
/// The convention for tests that need something outside .NET (a Debian package, a tool on
/// PATH): locally they are skipped with a reason naming what to install; under CI (the
/// environment variable <c>CI</c> is <c>true</c>) they are never skipped, so a CI machine that
/// lacks the component fails instead of silently testing less.
/// </summary>
/// <remarks>
/// To add a requirement, write a function that returns null when the component is there and
/// otherwise a short reason ("softhsm2-util not found; apt-get install softhsm2"), and an
/// attribute deriving from <see cref="FactAttribute"/> (or <see cref="TheoryAttribute"/>) whose
/// constructor sets <c>Skip = TestRequirements.SkipReason(thatFunction())</c>; see
/// <see cref="RequiresExecutablesFactAttribute"/> and <see cref="RequiresSoftHsmFactAttribute"/>.
/// A fixture the test uses should not throw when the component is missing (xUnit may build it
/// for skipped tests) but record the reason and throw it when a test touches it.
/// </remarks>
public static class TestRequirements
{
    /// <summary>The variable CI systems set (GitHub Actions, GitLab, .ci/run).</summary>
    public const string CiVariable = "CI";

    /// <summary>Whether this run is a CI run, where missing components fail instead of skipping.</summary>
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable(CiVariable), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The xUnit skip reason for a requirement: null (run the test) when nothing is missing or
    /// under CI, otherwise <paramref name="missing"/> with a note on the CI behaviour.
    /// </summary>
    public static string? SkipReason(string? missing) =>
        missing is null || IsCi ? null : $"{missing} (skipped locally; with CI=true this test runs and fails)";

    /// <summary>The full path of <paramref name="name"/> found on PATH, or null.</summary>
    public static string? FindExecutable(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(name) ? name : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Null when every executable is on PATH, else which are missing.</summary>
    public static string? MissingExecutables(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var missing = names.Where(n => FindExecutable(n) is null).ToArray();
        return missing.Length == 0 ? null : $"not found on PATH: {string.Join(", ", missing)}";
    }

    /// <summary>The first of <paramref name="candidates"/> that exists as a file, or null.</summary>
    public static string? FirstExistingFile(IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// <paramref name="relative"/> under each multiarch directory of <c>/usr/lib</c>
    /// (<c>/usr/lib/x86_64-linux-gnu/...</c>, <c>/usr/lib/aarch64-linux-gnu/...</c>).
    /// </summary>
    public static IEnumerable<string> UnderMultiarchLib(string relative)
    {
        const string lib = "/usr/lib";
        if (!Directory.Exists(lib))
        {
            return [];
        }

        try
        {
            return Directory.EnumerateDirectories(lib, "*-linux-gnu*").Select(d => Path.Combine(d, relative)).ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
