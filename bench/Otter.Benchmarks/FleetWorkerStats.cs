namespace Otter.Benchmarks;

/// <summary>One device worker's counts in the end-to-end rollout (each worker has its own, so no locking).</summary>
internal sealed class FleetWorkerStats
{
    public long CheckIns { get; set; }

    public long Reports { get; set; }

    public long Errors { get; set; }

    public string? FirstError { get; set; }

    /// <summary>Check-in latencies, Stopwatch ticks.</summary>
    public List<long> Latencies { get; } = [];

    /// <summary>How long the worker ran.</summary>
    public double Seconds { get; set; }
}
