using System.Globalization;
using System.Runtime.InteropServices;

namespace Otter.Benchmarks;

/// <summary>
/// Pins every thread of the current process to the CPUs of <see cref="OneCoreConfig.AffinityMask"/>.
/// On Linux, affinity is per thread and <c>Process.ProcessorAffinity</c> (which BenchmarkDotNet's
/// job affinity sets) changes only the main thread; threads inherit the affinity of the thread that
/// creates them, so once every existing thread is pinned, the thread pool's later threads are too.
/// </summary>
internal static class CpuPinning
{
    /// <summary>Pins all threads; returns a one-line description for the log.</summary>
    public static string PinProcess()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "CPU pinning: BenchmarkDotNet job affinity only (not Linux)";
        }

        var before = Describe();
        var mask = (ulong)OneCoreConfig.AffinityMask;
        var pinned = 0;
        var failed = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            var tid = int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture);
            if (NativeMethods.SchedSetAffinity(tid, sizeof(ulong), ref mask) == 0)
            {
                pinned++;
            }
            else
            {
                failed++;
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"CPU pinning: before, {before}; then pinned {pinned} threads to mask {OneCoreConfig.AffinityMask:x}{(failed > 0 ? $" ({failed} failed: exited?)" : string.Empty)}");
    }

    /// <summary>Which CPUs the process's threads may run on, e.g. "11 threads on CPUs 0, 1 thread on CPUs 0-1".</summary>
    public static string Describe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "threads: not Linux";
        }

        var total = 0;
        var pinned = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(Path.Combine(task, "status"));
            }
            catch (IOException)
            {
                continue;
            }

            var allowed = lines.FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
            var cpus = allowed is null ? "?" : allowed["Cpus_allowed_list:".Length..].Trim();
            pinned[cpus] = pinned.GetValueOrDefault(cpus) + 1;
            total++;
        }

        return total == 0 ? "no threads found" : string.Join(", ", pinned.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Value} thread{(p.Value == 1 ? string.Empty : "s")} on CPUs {p.Key}")));
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int SchedSetAffinity(int pid, nint cpuSetSize, ref ulong mask);
    }
}
