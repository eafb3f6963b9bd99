namespace Otter.Benchmarks;

/// <summary>
/// One measured round of the engine tick benchmark: <see cref="Changed"/> rows marked changed (in
/// SQL, untimed), then the engine ticked until it had folded them all (<see cref="Ticks"/> ticks,
/// more than one only when a tick's fold limit is below the changes), <see cref="Milliseconds"/>
/// in <c>TickAsync</c> altogether.
/// </summary>
internal sealed record TickRound(double Percent, int Changed, int Ticks, double Milliseconds, double MarkMilliseconds)
{
    /// <summary>Tick time per 1,000 changed devices.</summary>
    public double MillisecondsPerThousand => Changed == 0 ? double.NaN : Milliseconds * 1000.0 / Changed;
}
