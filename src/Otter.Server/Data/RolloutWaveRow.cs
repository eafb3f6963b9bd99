namespace Otter.Server.Data;

/// <summary>
/// A wave's counters by device state. Only the rollout engine writes them, folding in the device
/// rows marked dirty since its last tick, so the counts cost nothing to read.
/// </summary>
internal sealed class RolloutWaveRow
{
    public long RolloutId { get; set; }

    public int Index { get; set; }

    public required string Spec { get; set; }

    public int Total { get; set; }

    public int Pending { get; set; }

    public int Assigned { get; set; }

    public int Downloading { get; set; }

    public int Installed { get; set; }

    public int Committed { get; set; }

    public int Failed { get; set; }

    public int RolledBack { get; set; }

    public int TimedOut { get; set; }

    public int Skipped { get; set; }

    public int Reverted { get; set; }

    /// <summary>Errors an operator accepted by resuming a halted rollout: they no longer count toward the error threshold.</summary>
    public int AcceptedErrors { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>Set when the wave reached its success threshold: it is promoted once this passes.</summary>
    public DateTimeOffset? SoakUntil { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
