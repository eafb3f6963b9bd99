using System.Globalization;

namespace Otter.Benchmarks;

/// <summary>Options of <c>rollout-engine</c>; see <see cref="RolloutEngineHarness"/>.</summary>
internal sealed record RolloutEngineOptions
{
    public const string Usage =
        "usage: rollout-engine [--devices N] [--rounds N] [--large-rounds N] [--assign ticks|sql] [--fleet N] [--concurrency N] [--tick-s N] [--results DIR] [--work DIR] [--keep]";

    /// <summary>Device rows in the database of the tick measurement, all in one rollout.</summary>
    public int Devices { get; init; } = 1_000_000;

    /// <summary>Measured rounds of each of the small change sizes (none, 0.1% and 1% of the devices).</summary>
    public int Rounds { get; init; } = 10;

    /// <summary>Measured rounds of 10% changes (each uses up a tenth of the in-flight rows).</summary>
    public int LargeRounds { get; init; } = 3;

    /// <summary>
    /// How the rollout reaches its steady state (every device assigned): <c>ticks</c> runs the
    /// engine until it has assigned them all (5,000 a tick), <c>sql</c> times 20 assigning ticks
    /// and marks the rest assigned in SQL as those ticks do.
    /// </summary>
    public string Assign { get; init; } = "ticks";

    /// <summary>Simulated devices of the end-to-end rollout.</summary>
    public int Fleet { get; init; } = 10_000;

    /// <summary>Closed-loop device workers of the end-to-end rollout, each with its own connection.</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>Seconds between engine ticks in the end-to-end rollout (the server's loop waits this long after each tick).</summary>
    public int TickSeconds { get; init; } = 1;

    public string? ResultsDirectory { get; init; }

    public string? WorkDirectory { get; init; }

    public bool Keep { get; init; }

    /// <exception cref="ArgumentException">A bad option; the message says which.</exception>
    public static RolloutEngineOptions Parse(IReadOnlyList<string> args)
    {
        var options = new RolloutEngineOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--devices" => options with { Devices = Positive(Value(), "--devices") },
                "--rounds" => options with { Rounds = Positive(Value(), "--rounds") },
                "--large-rounds" => options with { LargeRounds = Positive(Value(), "--large-rounds") },
                "--assign" => options with { Assign = AssignMode(Value()) },
                "--fleet" => options with { Fleet = Positive(Value(), "--fleet") },
                "--concurrency" => options with { Concurrency = Positive(Value(), "--concurrency") },
                "--tick-s" => options with { TickSeconds = Positive(Value(), "--tick-s") },
                "--results" => options with { ResultsDirectory = Value() },
                "--work" => options with { WorkDirectory = Value() },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"unknown option {args[i]}. {Usage}"),
            };
        }

        // 0.1% of the devices must be at least one, and every round needs rows still in flight.
        if (options.Devices < 1000)
        {
            throw new ArgumentException($"--devices {options.Devices}: at least 1,000. {Usage}");
        }

        if ((options.Rounds + 1) * 11 + (options.LargeRounds * 100) > 900)
        {
            throw new ArgumentException($"--rounds {options.Rounds} and --large-rounds {options.LargeRounds} would change more than 90% of the devices; the wave must not reach its success threshold. {Usage}");
        }

        if (options.Concurrency > options.Fleet)
        {
            throw new ArgumentException($"--concurrency {options.Concurrency} is more than --fleet {options.Fleet}. {Usage}");
        }

        return options;
    }

    private static string AssignMode(string value) =>
        value is "ticks" or "sql" ? value : throw new ArgumentException($"--assign {value}: ticks or sql. {Usage}");

    private static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} {value}: a positive whole number is expected. {Usage}");
}
