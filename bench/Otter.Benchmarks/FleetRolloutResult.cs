namespace Otter.Benchmarks;

/// <summary>What the end-to-end part of <c>rollout-engine</c> measured.</summary>
internal sealed record FleetRolloutResult
{
    public required int Devices { get; init; }

    public required IReadOnlyList<string> Waves { get; init; }

    public required IReadOnlyList<int> WaveSizes { get; init; }

    public required double InsertSeconds { get; init; }

    /// <summary>Every device's first check-in (untimed for the rollout): connections opened, tokens checked.</summary>
    public required double FirstSweepSeconds { get; init; }

    public required double CreateSeconds { get; init; }

    /// <summary>From <c>POST .../start</c> answered to the tick that completed the rollout.</summary>
    public required double WallSeconds { get; init; }

    public required int Ticks { get; init; }

    public required double TickMeanMs { get; init; }

    public required double TickMaxMs { get; init; }

    /// <summary>Seconds after the start at which each wave reached its success threshold and the next one started (the last: completion).</summary>
    public required IReadOnlyList<double> WaveDoneSeconds { get; init; }

    public required long CheckIns { get; init; }

    public required long Reports { get; init; }

    public required long Errors { get; init; }

    public string? FirstError { get; init; }

    /// <summary>Check-in latencies in the rollout window, sorted Stopwatch ticks.</summary>
    public required long[] CheckInLatencies { get; init; }

    /// <summary>How long the device workers ran: from the start until the last in-flight request after completion.</summary>
    public required double LoadSeconds { get; init; }

    /// <summary>The bench process's peak RSS: of this part alone when <see cref="PeakIsFleet"/>, else since the process started.</summary>
    public required double PeakMiB { get; init; }

    public required bool PeakIsFleet { get; init; }

    /// <summary>What the device endpoint negotiated, e.g. "TLS 1.3, TLS_AES_256_GCM_SHA384, ECDSA P-256 server key".</summary>
    public required string Tls { get; init; }

    public double CheckInsPerSecond => CheckIns / LoadSeconds;

    public double ReportsPerSecond => Reports / LoadSeconds;

    /// <summary>How often a device checked in, on average, during the rollout.</summary>
    public double SecondsBetweenCheckIns => LoadSeconds * Devices / CheckIns;
}
