namespace Otter.Protocol.Rollouts;

/// <summary>A rollout and its live progress.</summary>
public sealed record RolloutView
{
    /// <summary>See the rollout request.</summary>
    public long Id { get; init; }

    /// <summary>See the rollout request.</summary>
    public required string Release { get; init; }

    /// <summary>See the rollout request.</summary>
    public required string Status { get; init; }

    /// <summary>See the rollout request.</summary>
    public string? Filter { get; init; }

    /// <summary>See the rollout request.</summary>
    public int CurrentWave { get; init; }

    /// <summary>See the rollout request.</summary>
    public int DeviceCount { get; init; }

    /// <summary>See the rollout request.</summary>
    public double SuccessPercent { get; init; }

    /// <summary>See the rollout request.</summary>
    public double ErrorPercent { get; init; }

    /// <summary>See the rollout request.</summary>
    public required string Soak { get; init; }

    /// <summary>See the rollout request.</summary>
    public required string InstallTimeout { get; init; }

    /// <summary>See the rollout request.</summary>
    public string? Rate { get; init; }

    /// <summary>See the rollout request.</summary>
    public bool Force { get; init; }

    /// <summary>Devices stage the release without activating it; a staged device counts as a success.</summary>
    public bool DownloadOnly { get; init; }

    /// <summary>See the rollout request.</summary>
    public bool AutoPromote { get; init; }

    /// <summary>See the rollout request.</summary>
    public bool RollbackOnHalt { get; init; }

    /// <summary>See the rollout request.</summary>
    public int Priority { get; init; }

    /// <summary>See the rollout request.</summary>
    public IReadOnlyList<string> Windows { get; set; } = [];

    /// <summary>See the rollout request.</summary>
    public string? HaltReason { get; init; }

    /// <summary>See the rollout request.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>See the rollout request.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>See the rollout request.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>See the rollout request.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>See the rollout request.</summary>
    public IReadOnlyList<WaveView> Waves { get; set; } = [];
}
