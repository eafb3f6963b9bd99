using System.Globalization;

namespace Otter.Benchmarks;

/// <summary>Options of <c>fleet-rollout</c>; see <see cref="FleetRolloutHarness"/>.</summary>
internal sealed record FleetRolloutOptions
{
    public const string Usage = "usage: fleet-rollout [--devices N] [--concurrency N] [--tick-s N] [--limit-min N] [--results DIR] [--work DIR] [--keep]";

    /// <summary>Simulated devices (each a real agent with its own key and certificate, mutual TLS).</summary>
    public int Devices { get; init; } = 100_000;

    /// <summary>Device cycles running at the same time in the simulator.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Seconds between the server's rollout engine ticks (its own loop; server.json).</summary>
    public int TickSeconds { get; init; } = 1;

    /// <summary>A rollout not completed by then is a failure.</summary>
    public int LimitMinutes { get; init; } = 120;

    public string? ResultsDirectory { get; init; }

    public string? WorkDirectory { get; init; }

    public bool Keep { get; init; }

    /// <exception cref="ArgumentException">A bad option; the message says which.</exception>
    public static FleetRolloutOptions Parse(IReadOnlyList<string> args)
    {
        var options = new FleetRolloutOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--devices" => options with { Devices = Positive(Value(), "--devices") },
                "--concurrency" => options with { Concurrency = Positive(Value(), "--concurrency") },
                "--tick-s" => options with { TickSeconds = Positive(Value(), "--tick-s") },
                "--limit-min" => options with { LimitMinutes = Positive(Value(), "--limit-min") },
                "--results" => options with { ResultsDirectory = Value() },
                "--work" => options with { WorkDirectory = Value() },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"unknown option {args[i]}. {Usage}"),
            };
        }

        // The first wave is 1%: it needs at least one device.
        if (options.Devices < 100)
        {
            throw new ArgumentException($"--devices {options.Devices}: at least 100 (the first wave is 1%). {Usage}");
        }

        return options;
    }

    private static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{name} {value}: a positive whole number. {Usage}");
}
