namespace Otter.Benchmarks;

/// <summary>One closed-loop run against one server: requests completed in the measured window, failures, and each request's latency.</summary>
internal sealed record LoadResult(string Target, int Round, double Seconds, long Requests, long Errors, string? FirstError, long[] LatencyTicks)
{
    public double RequestsPerSecond => Requests / Seconds;

    /// <summary>The latency at quantile <paramref name="q"/> (0 to 1) in milliseconds, nearest rank; <see cref="LatencyTicks"/> is sorted.</summary>
    public double LatencyMs(double q) => Percentile(LatencyTicks, q);

    /// <summary>Nearest-rank percentile of sorted Stopwatch ticks, in milliseconds.</summary>
    public static double Percentile(long[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)] * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
    }
}
