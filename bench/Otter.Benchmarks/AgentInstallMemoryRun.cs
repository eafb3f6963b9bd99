namespace Otter.Benchmarks;

/// <summary>
/// What a child install process reported (KiB): its peak RSS, its peak RSS when <c>Main</c> started,
/// and the resident memory at the end split into private (anon), mapped files and shared memory;
/// its time and managed allocations.
/// </summary>
internal sealed record AgentInstallMemoryRun(
    int OsMiB,
    long BundleLength,
    long PeakKiB,
    long StartPeakKiB,
    long AnonKiB,
    long FileKiB,
    long ShmemKiB,
    double Seconds,
    long AllocatedBytes,
    int Gen0,
    int Gen2);
