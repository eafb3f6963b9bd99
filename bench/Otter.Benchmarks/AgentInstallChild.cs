using System.Diagnostics;
using System.Globalization;

using Otter.Agent.Platform;
using Otter.Agent.Update;
using Otter.Ledger.Storage;
using Otter.Trust.Tuf.Client;

namespace Otter.Benchmarks;

/// <summary>
/// <c>agent-install-child DEVICE REPO LOG TARGET</c>: one install in a process of its own, which
/// then reports its own peak resident set size (VmHWM), so that the figure covers exactly the
/// agent's work: runtime start, JIT, TUF and log checks, and streaming the bundle into the slot.
/// </summary>
internal static class AgentInstallChild
{
    public const string Command = "agent-install-child";

    /// <summary>The line the parent parses: <c>key=value</c> pairs after this prefix.</summary>
    public const string ResultPrefix = "agent-install-child result:";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args.Count != 4)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} DEVICE REPO LOG TARGET");
            return 2;
        }

        var startPeak = ProcessStatus.Read("VmHWM:");
        var stopwatch = Stopwatch.StartNew();
        var platform = SimulatedDevicePlatform.Open(args[0], AgentInstallFixture.Passphrases);
        var outcome = await new UpdateClient(platform, TimeProvider.System).InstallAsync(
            new DirectoryRepositoryFetcher(args[1]), new DirectoryLogStorage(args[2]), args[3]);
        stopwatch.Stop();
        var peak = ProcessStatus.Read("VmHWM:");

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{ResultPrefix} vmhwm_kib={peak} start_vmhwm_kib={startPeak} vmrss_kib={ProcessStatus.Read("VmRSS:")} rss_anon_kib={ProcessStatus.Read("RssAnon:")} rss_file_kib={ProcessStatus.Read("RssFile:")} rss_shmem_kib={ProcessStatus.Read("RssShmem:")} seconds={stopwatch.Elapsed.TotalSeconds:F3} allocated_bytes={GC.GetTotalAllocatedBytes(precise: true)} gc_heap_bytes={GC.GetTotalMemory(forceFullCollection: false)} gen0={GC.CollectionCount(0)} gen2={GC.CollectionCount(2)} slot={outcome.Slot}"));
        return 0;
    }
}
