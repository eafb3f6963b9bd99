namespace Otter.Server.Incidents;

/// <summary>An exponentially weighted mean and variance (West's incremental form); not thread-safe.</summary>
internal struct Ewma
{
    public double Mean { get; private set; }

    public double Variance { get; private set; }

    public int Samples { get; private set; }

    public void Add(double value, double alpha)
    {
        if (Samples == 0)
        {
            Mean = value;
            Variance = 0;
        }
        else
        {
            var difference = value - Mean;
            var increment = alpha * difference;
            Mean += increment;
            Variance = (1 - alpha) * (Variance + (difference * increment));
        }

        Samples = Samples == int.MaxValue ? Samples : Samples + 1;
    }

    /// <summary>
    /// The value above which a sample deviates: <paramref name="deviations"/> standard deviations
    /// over the mean, but never less than three times the mean plus three, so that a near-zero
    /// variance (a perfectly regular device) does not turn ordinary jitter into an alarm.
    /// </summary>
    public readonly double Limit(double deviations) => Mean + Math.Max(deviations * Math.Sqrt(Variance), Math.Max(3, 2 * Mean));
}
