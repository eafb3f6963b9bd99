namespace Otter.Benchmarks;

/// <summary>What <c>fleet-rollout</c> measured.</summary>
internal sealed record FleetSimulationResult
{
    public required int Devices { get; init; }

    public required IReadOnlyList<string> Waves { get; init; }

    public required IReadOnlyList<int> WaveSizes { get; init; }

    public required IReadOnlyList<double> WaveDoneSeconds { get; init; }

    public required double EnrollSeconds { get; init; }

    public required double RolloutSeconds { get; init; }

    public required long Cycles { get; init; }

    public required long FailedCycles { get; init; }

    public required int UpdatedOnce { get; init; }

    public required double ServerPeakMiB { get; init; }

    public required double ServerPeakEnrollMiB { get; init; }

    public required double SimulatorPeakMiB { get; init; }

    public required long BundleBytes { get; init; }

    public required IReadOnlyList<FleetRolloutSample> Samples { get; init; }
}
