namespace Otter.Benchmarks;

/// <summary>What the engine tick part of <c>rollout-engine</c> measured.</summary>
internal sealed record EngineTickResult
{
    public required int Devices { get; init; }

    public required double InsertSeconds { get; init; }

    public required double DatabaseMiB { get; init; }

    public required double PublishSeconds { get; init; }

    /// <summary><c>POST /api/v1/rollouts</c> over all the devices, end to end.</summary>
    public required double CreateSeconds { get; init; }

    /// <summary>This process's resident set just before the create.</summary>
    public required double ResidentBeforeCreateMiB { get; init; }

    /// <summary>This process's peak RSS (VmHWM) just after the create: during it when <see cref="PeakIsCreate"/>, else since the process started.</summary>
    public required double PeakAfterCreateMiB { get; init; }

    public required bool PeakIsCreate { get; init; }

    /// <summary><c>ticks</c> or <c>sql</c>.</summary>
    public required string AssignMode { get; init; }

    /// <summary>Ticks that assigned devices, and their total and largest time.</summary>
    public required int AssignTicks { get; init; }

    public required double AssignTickSeconds { get; init; }

    public required double AssignTickMaxMs { get; init; }

    public required int AssignedByTicks { get; init; }

    /// <summary>With <c>sql</c>: the rows marked assigned in SQL, and how long that took.</summary>
    public required int AssignedBySql { get; init; }

    public required double AssignSqlSeconds { get; init; }

    public required IReadOnlyList<TickRound> Rounds { get; init; }
}
