namespace Otter.Server.Data;

/// <summary>A rollout: what, to whom, in which waves, under which rules, and where it stands.</summary>
internal sealed class RolloutRow
{
    public long Id { get; set; }

    public required string Release { get; set; }

    public required string Hardware { get; set; }

    public string? Filter { get; set; }

    public string DevicesJson { get; set; } = "[]";

    public string WavesJson { get; set; } = "[\"100\"]";

    public double SuccessPercent { get; set; }

    public double ErrorPercent { get; set; }

    public long SoakSeconds { get; set; }

    public long InstallTimeoutSeconds { get; set; }

    public bool AutoPromote { get; set; }

    public int? RatePerMinute { get; set; }

    public bool ExponentialRate { get; set; }

    public DateTimeOffset? StartAt { get; set; }

    public string WindowsJson { get; set; } = "[]";

    public bool Force { get; set; }

    public bool DownloadOnly { get; set; }

    public int Priority { get; set; }

    public bool RollbackOnHalt { get; set; }

    /// <summary>created, running, paused, halted, completed or cancelled.</summary>
    public required string Status { get; set; }

    /// <summary>Waiting for <c>otter rollout resume</c> to promote the current wave (manual promotion).</summary>
    public bool AwaitingPromotion { get; set; }

    public int CurrentWave { get; set; }

    public int DeviceCount { get; set; }

    public string? HaltReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
