using System.Globalization;

namespace Otter.Benchmarks;

/// <summary>Options of <c>server-checkin</c>; see <see cref="CheckInHarness"/>.</summary>
internal sealed record CheckInOptions
{
    public const string Usage =
        "usage: server-checkin [--devices N] [--enrolled N] [--concurrency N] [--warmup-s N] [--duration-s N] [--rounds N] [--results DIR] [--work DIR] [--keep]";

    /// <summary>Device rows in the database: the enrolled ones plus bulk-inserted ones.</summary>
    public int Devices { get; init; } = 1_000_000;

    /// <summary>Devices enrolled through the API, whose certificates the load uses.</summary>
    public int Enrolled { get; init; } = 400;

    /// <summary>Closed-loop workers (requests in flight).</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Untimed load before each measured window, in seconds.</summary>
    public int WarmUpSeconds { get; init; } = 5;

    /// <summary>The measured window of each run, in seconds.</summary>
    public int DurationSeconds { get; init; } = 15;

    /// <summary>Rounds; each runs both servers, in reverse order every other round.</summary>
    public int Rounds { get; init; } = 3;

    public string? ResultsDirectory { get; init; }

    public string? WorkDirectory { get; init; }

    public bool Keep { get; init; }

    /// <exception cref="ArgumentException">A bad option; the message says which.</exception>
    public static CheckInOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CheckInOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--devices" => options with { Devices = Positive(Value(), "--devices") },
                "--enrolled" => options with { Enrolled = Positive(Value(), "--enrolled") },
                "--concurrency" => options with { Concurrency = Positive(Value(), "--concurrency") },
                "--warmup-s" => options with { WarmUpSeconds = Positive(Value(), "--warmup-s") },
                "--duration-s" => options with { DurationSeconds = Positive(Value(), "--duration-s") },
                "--rounds" => options with { Rounds = Positive(Value(), "--rounds") },
                "--results" => options with { ResultsDirectory = Value() },
                "--work" => options with { WorkDirectory = Value() },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"unknown option {args[i]}. {Usage}"),
            };
        }

        if (options.Enrolled > options.Devices)
        {
            throw new ArgumentException($"--enrolled {options.Enrolled} is more than --devices {options.Devices}. {Usage}");
        }

        // Each worker owns its devices' connections, so that no two requests share one.
        if (options.Concurrency > options.Enrolled)
        {
            throw new ArgumentException($"--concurrency {options.Concurrency} is more than --enrolled {options.Enrolled}: every worker needs a device of its own. {Usage}");
        }

        return options;
    }

    internal static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} {value}: a positive whole number is expected. {Usage}");
}
