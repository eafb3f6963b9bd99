namespace Otter.Benchmarks;

/// <summary>One server's runs of a load harness taken together: requests over measured time, percentiles of all latencies, failures.</summary>
internal sealed record CheckInTotals(double RequestsPerSecond, double P50, double P99, long Errors)
{
    public static CheckInTotals Of(IEnumerable<LoadResult> runs, string target)
    {
        var mine = runs.Where(r => r.Target == target).ToList();
        var latencies = mine.SelectMany(r => r.LatencyTicks).ToArray();
        Array.Sort(latencies);
        return new CheckInTotals(
            mine.Sum(r => r.Requests) / mine.Sum(r => r.Seconds),
            LoadResult.Percentile(latencies, 0.5),
            LoadResult.Percentile(latencies, 0.99),
            mine.Sum(r => r.Errors));
    }
}
