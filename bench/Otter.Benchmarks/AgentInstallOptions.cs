using System.Globalization;

namespace Otter.Benchmarks;

/// <summary>Options of <c>agent-install</c>; see <see cref="AgentInstallHarness"/>.</summary>
internal sealed record AgentInstallOptions
{
    public const string Usage =
        "usage: agent-install [--size-mib N] [--runs N] [--memory-sizes-mib N,N,...|none] [--memory-runs N] [--results DIR] [--work DIR] [--keep]";

    /// <summary>Size of the os stage of the timed bundle, in MiB.</summary>
    public int SizeMiB { get; init; } = 1024;

    /// <summary>Timed rounds (each: install, sha256sum and the breakdown measurements).</summary>
    public int Runs { get; init; } = 5;

    /// <summary>Sizes (MiB) whose install runs in a child process to read its peak memory.</summary>
    public IReadOnlyList<int> MemorySizesMiB { get; init; } = [1024, 4096];

    /// <summary>Child processes per memory size.</summary>
    public int MemoryRuns { get; init; } = 2;

    /// <summary>Where the markdown results go; none when null.</summary>
    public string? ResultsDirectory { get; init; }

    /// <summary>The work directory (created; default: a new one under the temp directory).</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Keep the work directory (bundles, repository, devices) at the end.</summary>
    public bool Keep { get; init; }

    /// <summary>Parses the command line.</summary>
    /// <exception cref="ArgumentException">A bad option; the message says which.</exception>
    public static AgentInstallOptions Parse(IReadOnlyList<string> args)
    {
        var options = new AgentInstallOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--size-mib" => options with { SizeMiB = Positive(Value(), "--size-mib") },
                "--runs" => options with { Runs = Positive(Value(), "--runs") },
                "--memory-sizes-mib" => options with { MemorySizesMiB = Sizes(Value()) },
                "--memory-runs" => options with { MemoryRuns = Positive(Value(), "--memory-runs") },
                "--results" => options with { ResultsDirectory = Value() },
                "--work" => options with { WorkDirectory = Value() },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"unknown option {args[i]}. {Usage}"),
            };
        }

        return options;
    }

    private static List<int> Sizes(string value) =>
        value == "none" ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => Positive(v, "--memory-sizes-mib")).ToList();

    private static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} {value}: a positive whole number is expected. {Usage}");
}
