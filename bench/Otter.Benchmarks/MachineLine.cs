using System.Globalization;

namespace Otter.Benchmarks;

/// <summary>When and on what a load harness ran, in one line for its section of the report: the load harnesses' sections are copied into docs/benchmarks.md as they are.</summary>
internal static class MachineLine
{
    /// <summary>The load average (1, 5, 15 minutes) now, e.g. "0.52 0.61 0.40".</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static string Describe(DateTimeOffset started, string loadBefore)
    {
        var cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (model is not null)
            {
                cpu = model[(model.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }

        var memory = string.Empty;
        if (File.Exists("/proc/meminfo"))
        {
            var total = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (total is not null && long.TryParse(total["MemTotal:".Length..].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
            {
                memory = string.Create(CultureInfo.InvariantCulture, $", {kib / 1048576.0:F1} GiB");
            }
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"Measured {started.UtcDateTime:yyyy-MM-dd HH:mm} UTC on {cpu} ({Environment.ProcessorCount} logical processors{memory}), .NET {Environment.Version}; load average {loadBefore} at the start, {LoadAverage()} at the end.");
    }
}
