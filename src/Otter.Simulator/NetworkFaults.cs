namespace Otter.Simulator;

/// <summary>What a simulated network did to one device's traffic (counts, for reports and tests).</summary>
public sealed class NetworkFaults
{
    private long _resets;
    private long _alteredTargets;
    private long _alteredOther;
    private long _delayedReads;

    /// <summary>Downloads reset mid-body.</summary>
    public long Resets => Interlocked.Read(ref _resets);

    /// <summary>Target (firmware) responses whose bytes were altered in flight.</summary>
    public long AlteredTargets => Interlocked.Read(ref _alteredTargets);

    /// <summary>Metadata and log responses whose bytes were altered in flight.</summary>
    public long AlteredOther => Interlocked.Read(ref _alteredOther);

    /// <summary>Reads slowed down by a slow link.</summary>
    public long DelayedReads => Interlocked.Read(ref _delayedReads);

    internal void Reset() => Interlocked.Increment(ref _resets);

    internal void Altered(bool target) => Interlocked.Increment(ref target ? ref _alteredTargets : ref _alteredOther);

    internal void Delayed() => Interlocked.Increment(ref _delayedReads);
}
