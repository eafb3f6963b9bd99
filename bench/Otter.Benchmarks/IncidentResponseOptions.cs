using System.Globalization;

namespace Otter.Benchmarks;

/// <summary>Options of <c>incident-response</c>; see <see cref="IncidentResponseHarness"/>.</summary>
internal sealed record IncidentResponseOptions
{
    public const string Usage = "usage: incident-response [--devices N] [--normal N] [--results DIR] [--work DIR] [--keep]";

    /// <summary>Devices that turn up tampered, one after the other; each is one sample.</summary>
    public int Devices { get; init; } = 30;

    /// <summary>Normal check-ins of each device before it turns up tampered (the reference).</summary>
    public int Normal { get; init; } = 5;

    public string? ResultsDirectory { get; init; }

    public string? WorkDirectory { get; init; }

    public bool Keep { get; init; }

    /// <exception cref="ArgumentException">A bad option; the message says which.</exception>
    public static IncidentResponseOptions Parse(IReadOnlyList<string> args)
    {
        var options = new IncidentResponseOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value. {Usage}");
            options = args[i] switch
            {
                "--devices" => options with { Devices = Positive(Value(), "--devices") },
                "--normal" => options with { Normal = Positive(Value(), "--normal") },
                "--results" => options with { ResultsDirectory = Value() },
                "--work" => options with { WorkDirectory = Value() },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"unknown option {args[i]}. {Usage}"),
            };
        }

        return options;
    }

    private static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} {value}: a positive whole number. {Usage}");
}
