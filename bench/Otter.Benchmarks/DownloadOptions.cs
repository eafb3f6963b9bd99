using System.Globalization;

namespace Otter.Benchmarks;

/// <summary>Options of <c>server-download</c>; see <see cref="DownloadHarness"/>.</summary>
internal sealed record DownloadOptions
{
    public const string Usage =
        "usage: server-download [--size-mib N] [--range-mib N] [--connections N] [--warmup-s N] [--duration-s N] [--rounds N] [--nginx PATH] [--results DIR] [--work DIR] [--keep]";

    /// <summary>Size of the bundle's os stage, in MiB (at most 1024: the first pass is checked in memory).</summary>
    public int SizeMiB { get; init; } = 256;

    /// <summary>The size of each range request, in MiB.</summary>
    public int RangeMiB { get; init; } = 4;

    /// <summary>Concurrent keep-alive connections, each downloading one range at a time.</summary>
    public int Connections { get; init; } = 4;

    public int WarmUpSeconds { get; init; } = 3;

    public int DurationSeconds { get; init; } = 10;

    public int Rounds { get; init; } = 3;

    /// <summary>The nginx executable; found in /usr/sbin or PATH when absent.</summary>
    public string? Nginx { get; init; }

    public string? ResultsDirectory { get; init; }

    public string? WorkDirectory { get; init; }

    public bool Keep { get; init; }

    /// <exception cref="ArgumentException">A bad option; the message says which.</exception>
    public static DownloadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new DownloadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--size-mib" => options with { SizeMiB = Positive(Value(), "--size-mib") },
                "--range-mib" => options with { RangeMiB = Positive(Value(), "--range-mib") },
                "--connections" => options with { Connections = Positive(Value(), "--connections") },
                "--warmup-s" => options with { WarmUpSeconds = Positive(Value(), "--warmup-s") },
                "--duration-s" => options with { DurationSeconds = Positive(Value(), "--duration-s") },
                "--rounds" => options with { Rounds = Positive(Value(), "--rounds") },
                "--nginx" => options with { Nginx = Value() },
                "--results" => options with { ResultsDirectory = Value() },
                "--work" => options with { WorkDirectory = Value() },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"unknown option {args[i]}. {Usage}"),
            };
        }

        if (options.SizeMiB > 1024)
        {
            throw new ArgumentException($"--size-mib {options.SizeMiB}: at most 1024. {Usage}");
        }

        return options;
    }

    private static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} {value}: a positive whole number is expected. {Usage}");
}
