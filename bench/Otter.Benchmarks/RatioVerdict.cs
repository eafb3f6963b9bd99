using System.Globalization;

namespace Otter.Benchmarks;

/// <summary>MET / NOT MET for a throughput ratio against a reference measured in the same rounds, and when the noise of the run could have decided it.</summary>
internal static class RatioVerdict
{
    public static string Verdict(double ratio, double target) => ratio >= target ? "MET" : "NOT MET";

    /// <summary>
    /// An "Inconclusive" sentence when the target lies within one standard deviation of the
    /// per-round ratios from their overall value (two rounds or more); otherwise empty.
    /// </summary>
    public static string Note(double ratio, IReadOnlyList<double> perRound, double target)
    {
        var sd = StandardDeviation(perRound);
        return perRound.Count > 1 && Math.Abs(ratio - target) <= sd
            ? string.Create(CultureInfo.InvariantCulture, $" **Inconclusive:** the per-round ratios ({string.Join(", ", perRound.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)))}; SD {sd:F3}) reach across the target, so the noise of this run could have decided it.")
            : string.Empty;
    }

    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
