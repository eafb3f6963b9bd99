using System.Globalization;
using System.Text;

namespace Otter.Benchmarks;

/// <summary>The harness's markdown: a section of tables for docs/benchmarks.md, and target lines in the style of scripts/bench.</summary>
internal sealed class AgentInstallReport(
    AgentInstallOptions options,
    AgentInstallBundle bundle,
    double warmUpSeconds,
    IReadOnlyList<AgentInstallMeasurement> measurements,
    IReadOnlyList<AgentInstallMemoryRun> memory)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private AgentInstallMeasurement Otter => measurements[0];

    private AgentInstallMeasurement Reference => measurements[1];

    /// <summary>"1 GiB" or "64 MiB".</summary>
    public static string SizeLabel(int mib) =>
        mib % 1024 == 0 ? string.Create(Invariant, $"{mib / 1024} GiB") : string.Create(Invariant, $"{mib} MiB");

    /// <summary>MET / NOT MET lines for the "Targets" list.</summary>
    public IReadOnlyList<string> TargetLines()
    {
        var lines = new List<string>();

        // As scripts/bench does for BenchmarkDotNet ratios: the verdict is on the means; it is
        // inconclusive when the spread of the per-round time ratio exceeds the target's margin.
        var throughput = Reference.Mean / Otter.Mean;
        var ratios = Otter.Seconds.Zip(Reference.Seconds, (o, r) => o / r).ToList();
        var ratioSd = StandardDeviation(ratios);
        var margin = (1 / AgentInstallHarness.ThroughputTarget) - 1;
        var note = ratioSd > margin
            ? string.Create(Invariant, $" **Inconclusive:** the spread of the per-round time ratio ({ratioSd:F2}) is larger than the {margin * 100:F0}% margin, so the noise of this run could have decided it.")
            : string.Empty;
        lines.Add(string.Create(
            Invariant,
            $"- **{(throughput >= AgentInstallHarness.ThroughputTarget ? "MET" : "NOT MET")}**: `{Otter.Name}` throughput on a {SizeLabel(bundle.OsMiB)} bundle is {throughput:F3} x `{Reference.Name}` on the same file (target >= {AgentInstallHarness.ThroughputTarget:F2}; mean {Otter.Mean:F3} s vs {Reference.Mean:F3} s over {Rounds(Otter.Seconds.Count)} in alternating order, time ratio {ratios.Average():F2} ± {ratioSd:F2}).{note}"));

        var sizes = memory.Select(m => m.OsMiB).Distinct().Order().ToList();
        if (sizes.Count == 0)
        {
            lines.Add("- **NOT MEASURED**: peak memory of an install (no memory sizes in this run).");
            return lines;
        }

        var peaks = sizes.ToDictionary(s => s, s => memory.Where(m => m.OsMiB == s).Max(m => m.PeakKiB) / 1024.0);
        var perSize = string.Join(", ", sizes.Select(s => string.Create(Invariant, $"{SizeLabel(s)}: {peaks[s]:F1} MiB")));
        if (sizes.Count > 1)
        {
            var growth = peaks[sizes[^1]] - peaks[sizes[0]];
            lines.Add(string.Create(
                Invariant,
                $"- **{(growth < AgentInstallHarness.FlatToleranceMiB ? "MET" : "NOT MET")}**: peak memory (VmHWM) of an install is flat in bundle size: {perSize} (highest of {options.MemoryRuns} child process{(options.MemoryRuns == 1 ? string.Empty : "es")} per size), {growth:+0.0;-0.0} MiB from {SizeLabel(sizes[0])} to {SizeLabel(sizes[^1])} (target: flat, taken as growing by less than {AgentInstallHarness.FlatToleranceMiB} MiB)."));
        }
        else
        {
            lines.Add("- **NOT MEASURED**: whether peak memory is flat in bundle size (one size in this run).");
        }

        var highest = peaks.Values.Max();
        lines.Add(string.Create(
            Invariant,
            $"- **{(highest < AgentInstallHarness.MemoryLimitMiB ? "MET" : "NOT MET")}**: peak memory (VmHWM) of an install is {highest:F1} MiB at most ({perSize}); target under {AgentInstallHarness.MemoryLimitMiB} MiB."));
        return lines;
    }

    /// <summary>The tables.</summary>
    public string Section()
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        var size = bundle.Length;
        Line(string.Create(Invariant, $"### Throughput: {SizeLabel(bundle.OsMiB)} bundle"));
        Line();
        Line(string.Create(Invariant, $"Bundle `{bundle.TargetName}`: {size:N0} bytes (fsbl 256 KiB, ssbl 1 MiB, os {SizeLabel(bundle.OsMiB)}, random bytes). {Rounds(Otter.Seconds.Count)}, each running every measurement once, in reverse order every other round, with `sync` (untimed) before every pass; an untimed warm-up install first ({warmUpSeconds:F3} s) read the bundle into the page cache. MiB/s is the bundle's size over the time."));
        Line();
        Line("| Measurement | What it does | Mean | Min | Max | MiB/s (mean) | Throughput vs `sha256sum` |");
        Line("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var m in measurements)
        {
            var vs = m == Reference ? "*(is the reference)*" : string.Create(Invariant, $"{Reference.Mean / m.Mean:F3}");
            Line(string.Create(Invariant, $"| `{m.Name}` | {m.Description} | {m.Mean:F3} s | {m.Seconds.Min():F3} s | {m.Seconds.Max():F3} s | {AgentInstallHarness.MiBPerSecond(size, m.Mean):F0} | {vs} |"));
        }

        Line();
        var hash = measurements[2].Mean;
        var floorBest = measurements[4].Seconds.Min();
        var shaNi = File.Exists("/proc/cpuinfo") && File.ReadAllText("/proc/cpuinfo").Contains(" sha_ni", StringComparison.Ordinal);
        Line(string.Create(
            Invariant,
            $"Where the time goes: one SHA-256 pass over the bundle in .NET (OpenSSL) takes {hash:F3} s. The install must make two (TUF's sha256 of the whole bundle, which the targets key signs, and the boot manifest's sha256 of each stage, which the boot key signs; neither implies the other), about {2 * hash:F3} s of its {Otter.Mean:F3} s; the rest is writing the slot and its fsync. `sha256sum` makes one pass but takes {Reference.Mean:F3} s: GNU coreutils' own SHA-256 runs at {AgentInstallHarness.MiBPerSecond(size, Reference.Mean):F0} MiB/s, OpenSSL's at {AgentInstallHarness.MiBPerSecond(size, hash):F0} MiB/s{(shaNi ? " with the CPU's SHA extensions (sha_ni)" : string.Empty)}. `Ref_HashTwice_Copy_Fsync` is the install's work, in the same 80 KiB chunks, without TUF, log, bundle parsing, asynchronous reads and the per-stage and boot-control fsyncs: at their best of the rounds (the least disturbed by the noise below), the install took {Otter.Seconds.Min():F3} s and that floor {floorBest:F3} s ({(Otter.Seconds.Min() / floorBest - 1) * 100:+0;-0}%)."));
        var copy = measurements[3];
        if (copy.Seconds.Max() > 2 * copy.Seconds.Min())
        {
            Line();
            Line(string.Create(
                Invariant,
                $"Writing is the noisy part on this machine: the same copy (`{copy.Name}`) took from {copy.Seconds.Min():F3} s to {copy.Seconds.Max():F3} s in this run, while reading from the page cache and hashing were steady (`{measurements[2].Name}` from {measurements[2].Seconds.Min():F3} s to {measurements[2].Seconds.Max():F3} s).{(FreePageReporting() ? " This is a virtual machine whose balloon device reports free pages to the host (virtio_balloon with VIRTIO_BALLOON_F_REPORTING): memory the guest frees, such as the page cache of the slot images and copies deleted between passes, goes back to the host, and a pass whose new file pages are faulted in from the host again writes several times slower. The install and the copies write; `sha256sum` and the hashing pass only read pages already cached, so they do not see it." : string.Empty)}"));
        }

        Line();
        Line("| Round | " + string.Join(" | ", measurements.Select(m => $"`{m.Name}`")) + " |");
        Line("| ---: | " + string.Join(" | ", measurements.Select(_ => "---:")) + " |");
        for (var i = 0; i < Otter.Seconds.Count; i++)
        {
            var round = i;
            Line(string.Create(Invariant, $"| {i + 1}{(i % 2 == 0 ? string.Empty : " (reversed)")} | ") + string.Join(" | ", measurements.Select(m => string.Create(Invariant, $"{m.Seconds[round]:F3} s"))) + " |");
        }

        Line();
        Line("### Peak memory");
        Line();
        if (memory.Count == 0)
        {
            Line("Not measured in this run.");
            return text.ToString();
        }

        Line(string.Create(Invariant, $"Each install runs in a new process on a new device (`{AgentInstallChild.Command}`), which reports its own VmHWM (peak resident set size, from /proc/self/status) after the install. It counts everything resident: the runtime's and libraries' mapped code (.NET runtime, JIT, CoreLib and the other assemblies, libcrypto), JIT-compiled code, the managed heap and the buffers; the page cache that the file I/O goes through is not part of it. \"At start\" is VmHWM when the child's `Main` starts, before any Otter code ran. The last three columns split the resident set at the end of the install: private memory (RssAnon: managed heap, native heap, stacks, buffers), mapped files (RssFile: runtime, assemblies, native libraries) and shared memory (RssShmem: the runtime's double-mapped JIT code)."));
        Line();
        Line("| Bundle | Bytes | Run | Peak RSS (VmHWM) | At start | Install time | Managed bytes allocated | GCs (gen0 / gen2) | Private (anon) | Mapped files | Shared (JIT code) |");
        Line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var runNumbers = new Dictionary<int, int>();
        foreach (var run in memory)
        {
            runNumbers[run.OsMiB] = runNumbers.GetValueOrDefault(run.OsMiB) + 1;
            Line(string.Create(Invariant, $"| {SizeLabel(run.OsMiB)} | {run.BundleLength:N0} | {runNumbers[run.OsMiB]} | {run.PeakKiB / 1024.0:F1} MiB | {run.StartPeakKiB / 1024.0:F1} MiB | {run.Seconds:F2} s | {run.AllocatedBytes:N0} | {run.Gen0} / {run.Gen2} | {run.AnonKiB / 1024.0:F1} MiB | {run.FileKiB / 1024.0:F1} MiB | {run.ShmemKiB / 1024.0:F1} MiB |"));
        }

        return text.ToString();
    }

    // VIRTIO_BALLOON_F_REPORTING is feature bit 5; the features file lists the bits as '0'/'1' from bit 0.
    private static bool FreePageReporting()
    {
        const string devices = "/sys/bus/virtio/devices";
        if (!Directory.Exists(devices))
        {
            return false;
        }

        foreach (var device in Directory.EnumerateDirectories(devices))
        {
            var id = Path.Combine(device, "device");
            var features = Path.Combine(device, "features");
            if (File.Exists(id) && File.ReadAllText(id).Trim() == "0x0005" && File.Exists(features))
            {
                var bits = File.ReadAllText(features).Trim();
                if (bits.Length > 5 && bits[5] == '1')
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string Rounds(int n) => n == 1 ? "1 round" : string.Create(Invariant, $"{n} rounds");

    private static double StandardDeviation(List<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
