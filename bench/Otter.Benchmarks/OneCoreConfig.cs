using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Otter.Benchmarks;

/// <summary>
/// Runs a benchmark class on one core: BenchmarkDotNet's job affinity (mask 1, CPU 0) applied
/// on top of whatever job the command line asks for. On Linux that pins only the benchmark
/// process's main thread, so the classes also call <see cref="CpuPinning.PinProcess"/> in their set-up.
/// </summary>
public sealed class OneCoreConfig : ManualConfig
{
    /// <summary>The affinity mask: CPU 0 only.</summary>
    public const int AffinityMask = 1;

    public OneCoreConfig()
    {
        AddJob(Job.Default.WithAffinity(AffinityMask).WithUnrollFactor(1).AsMutator());
    }
}
