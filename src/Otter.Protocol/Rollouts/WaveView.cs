namespace Otter.Protocol.Rollouts;

/// <summary>One wave's counts by device state.</summary>
public sealed record WaveView
{
    /// <summary>See the rollout request.</summary>
    public int Index { get; init; }

    /// <summary>How the wave was asked for (<c>10</c> or <c>tag:canary</c>).</summary>
    /// <summary>See the rollout request.</summary>
    public required string Spec { get; init; }

    /// <summary><c>waiting</c>, <c>active</c>, <c>soaking</c>, <c>done</c> or <c>halted</c>.</summary>
    /// <summary>See the rollout request.</summary>
    public required string Status { get; init; }

    /// <summary>See the rollout request.</summary>
    public int Total { get; init; }

    /// <summary>See the rollout request.</summary>
    public int Pending { get; init; }

    /// <summary>See the rollout request.</summary>
    public int Assigned { get; init; }

    /// <summary>See the rollout request.</summary>
    public int Downloading { get; init; }

    /// <summary>See the rollout request.</summary>
    public int Installed { get; init; }

    /// <summary>See the rollout request.</summary>
    public int Committed { get; init; }

    /// <summary>See the rollout request.</summary>
    public int Failed { get; init; }

    /// <summary>See the rollout request.</summary>
    public int RolledBack { get; init; }

    /// <summary>See the rollout request.</summary>
    public int TimedOut { get; init; }

    /// <summary>See the rollout request.</summary>
    public int Skipped { get; init; }

    /// <summary>See the rollout request.</summary>
    public int Reverted { get; init; }

    /// <summary>See the rollout request.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>See the rollout request.</summary>
    public DateTimeOffset? SoakUntil { get; init; }
}
