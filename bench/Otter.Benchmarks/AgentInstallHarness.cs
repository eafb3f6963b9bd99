using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

using Otter.Agent.Platform;
using Otter.Agent.Update;
using Otter.Ledger.Storage;
using Otter.Trust.Tuf.Client;

namespace Otter.Benchmarks;

/// <summary>
/// <c>agent-install</c>: the device agent's install path under load (DESIGN §6: stream-hash-write
/// at least 90% of <c>sha256sum</c>'s throughput on the same image, memory flat in image size).
/// </summary>
/// <remarks>
/// <para>
/// Throughput: a bundle of <c>--size-mib</c> is published in a TUF repository with its release
/// logged; a provisioned simulated device installs it with <see cref="UpdateClient.InstallAsync"/>
/// from the directory repository (TUF refresh, log inclusion and consistency proofs, then one
/// streaming pass that hashes the whole bundle for TUF, hashes each stage for the boot manifest
/// and writes it into the inactive slot, fsync included). In the same rounds, alternating the
/// order, <c>sha256sum</c> reads the same stored file, and reference passes show where the time
/// goes. The bundle is read once before the rounds, so every pass reads it from the page cache.
/// </para>
/// <para>
/// Memory: for each <c>--memory-sizes-mib</c> a child process installs a bundle of that size on a
/// new device and reports its own VmHWM (peak RSS).
/// </para>
/// </remarks>
internal static class AgentInstallHarness
{
    public const string Command = "agent-install";
    public const double ThroughputTarget = 0.9;
    public const long MemoryLimitMiB = 64;
    public const long FlatToleranceMiB = 4;

    // The references read in the chunks the TUF download reads in (BoundedReader.BufferSize): a
    // chunk that stays in the CPU cache between the read, the hashes and the write. With 1 MiB
    // chunks the same work is much slower on a machine with 1 MiB of L2 cache per core.
    private const int Chunk = 81920;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        AgentInstallOptions options;
        try
        {
            options = AgentInstallOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"{Command}: {ex.Message}");
            return 2;
        }

        if (!OperatingSystem.IsLinux())
        {
            await Console.Error.WriteLineAsync($"{Command}: needs Linux (/proc for peak memory, sha256sum, fsync of the slot files).");
            return 2;
        }

        var root = options.WorkDirectory ?? Directory.CreateTempSubdirectory("otter-bench-install-").FullName;
        Log($"work directory {root}");
        try
        {
            using var fixture = await AgentInstallFixture.CreateAsync(root);
            var (bundle, warmUp, measurements) = await MeasureThroughputAsync(fixture, options);
            var memory = await MeasurePeakMemoryAsync(fixture, options, bundle);
            var report = new AgentInstallReport(options, bundle, warmUp, measurements, memory);
            foreach (var line in report.TargetLines())
            {
                Log(line);
            }

            if (options.ResultsDirectory is { } results)
            {
                Directory.CreateDirectory(results);
                await File.WriteAllTextAsync(Path.Combine(results, "agent-install.md"), report.Section());
                await File.WriteAllLinesAsync(Path.Combine(results, "agent-install-targets.md"), report.TargetLines());
                Log($"wrote {Path.Combine(results, "agent-install.md")} and agent-install-targets.md");
            }

            return 0;
        }
        finally
        {
            if (options.Keep)
            {
                Log($"kept {root}");
            }
            else
            {
                Directory.Delete(root, recursive: true);
                Log($"deleted {root}");
            }
        }
    }

    private static async Task<(AgentInstallBundle Bundle, double WarmUp, List<AgentInstallMeasurement> Measurements)> MeasureThroughputAsync(AgentInstallFixture fixture, AgentInstallOptions options)
    {
        var stopwatch = Stopwatch.StartNew();
        var bundle = fixture.AddBundle(options.SizeMiB);
        Log($"built and published {bundle.TargetName}: {bundle.Length:N0} bytes in {stopwatch.Elapsed.TotalSeconds:F1} s");
        var device = fixture.ProvisionDevice("timing");
        var platform = SimulatedDevicePlatform.Open(device, AgentInstallFixture.Passphrases);

        // The reference copies go where the install writes: into the slot directory (cleared before every pass).
        var scratch = Path.Combine(platform.SlotPath("a"), "reference-copy.bin");

        // Untimed: reads the bundle into the page cache, JIT-compiles the install path, checks it works.
        var warmUp = await InstallAsync(fixture, platform, bundle);
        Log($"warm-up install (untimed; JIT and page cache): {warmUp:F3} s");
        var expected = Sha256Sum(bundle.StoredPath).Hash;
        if (expected != bundle.Sha256)
        {
            throw new InvalidOperationException($"sha256sum says {expected}, the repository says {bundle.Sha256}");
        }

        var otter = new AgentInstallMeasurement("Otter_UpdateClient_InstallAsync", "`UpdateClient.InstallAsync`: TUF refresh + log proofs + stream-hash-write of the bundle into the slot, fsync");
        var sha256sum = new AgentInstallMeasurement("sha256sum", "`sha256sum FILE` (GNU coreutils), a process reading the stored bundle");
        var hashOnce = new AgentInstallMeasurement("Ref_DotNet_SHA256_OnePass", "read the file in 80 KiB chunks + one `IncrementalHash` SHA-256 (what .NET's OpenSSL hashing costs)");
        var copy = new AgentInstallMeasurement("Ref_Copy_Fsync", "read in 80 KiB chunks + write to a new file in the slot directory + fsync, no hashing");
        var floor = new AgentInstallMeasurement("Ref_HashTwice_Copy_Fsync", "read in 80 KiB chunks + two SHA-256 (bundle and stage, as the install must) + write + fsync: the install's work with no TUF, log, parsing, asynchronous reads or per-stage fsyncs");
        var steps = new List<(AgentInstallMeasurement Measurement, Func<Task<double>> Run)>
        {
            (otter, () => InstallAsync(fixture, platform, bundle)),
            (sha256sum, () => Task.FromResult(Sha256Sum(bundle.StoredPath).Seconds)),
            (hashOnce, () => Task.FromResult(HashOnce(bundle.StoredPath))),
            (copy, () => Task.FromResult(Copy(bundle.StoredPath, scratch, hashes: 0))),
            (floor, () => Task.FromResult(Copy(bundle.StoredPath, scratch, hashes: 2))),
        };
        for (var round = 0; round < options.Runs; round++)
        {
            var order = round % 2 == 0 ? steps : Enumerable.Reverse(steps).ToList();
            foreach (var (measurement, run) in order)
            {
                // Untimed: nothing left from the previous pass (slot images, scratch copy), nothing
                // dirty or waiting in the journal, no garbage.
                platform.ClearSlot("a");
                platform.ClearSlot("b");
                FileSystemSync.SyncAll();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var seconds = await run();
                measurement.Seconds.Add(seconds);
                Log(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: {measurement.Name} {seconds:F3} s = {MiBPerSecond(bundle.Length, seconds):F0} MiB/s"));
            }
        }

        Directory.Delete(device, recursive: true);
        return (bundle, warmUp, [otter, sha256sum, hashOnce, copy, floor]);
    }

    private static async Task<List<AgentInstallMemoryRun>> MeasurePeakMemoryAsync(AgentInstallFixture fixture, AgentInstallOptions options, AgentInstallBundle timed)
    {
        var runs = new List<AgentInstallMemoryRun>();
        foreach (var size in options.MemorySizesMiB.Distinct().Order())
        {
            var bundle = size == timed.OsMiB ? timed : fixture.AddBundle(size);
            if (bundle != timed)
            {
                Log($"built and published {bundle.TargetName}: {bundle.Length:N0} bytes");
            }

            for (var i = 1; i <= options.MemoryRuns; i++)
            {
                var device = fixture.ProvisionDevice(string.Create(CultureInfo.InvariantCulture, $"memory-{size}-{i}"));
                var run = await RunChildAsync(fixture, device, bundle);
                runs.Add(run);
                Log(string.Create(CultureInfo.InvariantCulture, $"child install of {size} MiB, run {i}: peak RSS (VmHWM) {run.PeakKiB / 1024.0:F1} MiB (at start {run.StartPeakKiB / 1024.0:F1} MiB; at the end anon {run.AnonKiB / 1024.0:F1}, file {run.FileKiB / 1024.0:F1}, shmem {run.ShmemKiB / 1024.0:F1} MiB), {run.Seconds:F2} s, {run.AllocatedBytes:N0} bytes allocated, {run.Gen0} gen0 / {run.Gen2} gen2 collections"));
                Directory.Delete(device, recursive: true);
            }

            if (bundle != timed)
            {
                File.Delete(bundle.StoredPath);
            }
        }

        return runs;
    }

    private static async Task<double> InstallAsync(AgentInstallFixture fixture, SimulatedDevicePlatform platform, AgentInstallBundle bundle)
    {
        var stopwatch = Stopwatch.StartNew();
        var outcome = await new UpdateClient(platform, TimeProvider.System).InstallAsync(
            new DirectoryRepositoryFetcher(fixture.Repository), new DirectoryLogStorage(fixture.LogDirectory), bundle.TargetName);
        stopwatch.Stop();
        if (outcome.Version != string.Create(CultureInfo.InvariantCulture, $"{bundle.OsMiB}.0.0"))
        {
            throw new InvalidOperationException($"installed {outcome.Version}, not the bundle of {bundle.OsMiB} MiB");
        }

        return stopwatch.Elapsed.TotalSeconds;
    }

    private static (string Hash, double Seconds) Sha256Sum(string path)
    {
        var start = new ProcessStartInfo("sha256sum", [path]) { RedirectStandardOutput = true, UseShellExecute = false };
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("sha256sum did not start");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        stopwatch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"sha256sum exited with {process.ExitCode}");
        }

        return (output.Split(' ', 2)[0], stopwatch.Elapsed.TotalSeconds);
    }

    private static double HashOnce(string path)
    {
        var buffer = new byte[Chunk];
        var stopwatch = Stopwatch.StartNew();
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            int read;
            while ((read = file.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }

            _ = hash.GetHashAndReset();
        }

        return stopwatch.Elapsed.TotalSeconds;
    }

    private static double Copy(string path, string destination, int hashes)
    {
        var buffer = new byte[Chunk];
        var stopwatch = Stopwatch.StartNew();
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        using (var first = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        using (var second = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            int read;
            while ((read = file.Read(buffer)) > 0)
            {
                if (hashes > 0)
                {
                    first.AppendData(buffer, 0, read);
                }

                if (hashes > 1)
                {
                    second.AppendData(buffer, 0, read);
                }

                output.Write(buffer, 0, read);
            }

            output.Flush(flushToDisk: true);
        }

        return stopwatch.Elapsed.TotalSeconds;
    }

    private static async Task<AgentInstallMemoryRun> RunChildAsync(AgentInstallFixture fixture, string device, AgentInstallBundle bundle)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(AgentInstallChild).Assembly.Location);
        }

        foreach (var argument in new[] { AgentInstallChild.Command, device, fixture.Repository, fixture.LogDirectory, bundle.TargetName })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the child process did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output;
        var errors = await error;
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(AgentInstallChild.ResultPrefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"the child install failed (exit {process.ExitCode}): {text}{errors}");
        }

        var values = line[AgentInstallChild.ResultPrefix.Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        long Long(string key) => long.Parse(values[key], CultureInfo.InvariantCulture);
        return new AgentInstallMemoryRun(
            bundle.OsMiB,
            bundle.Length,
            Long("vmhwm_kib"),
            Long("start_vmhwm_kib"),
            Long("rss_anon_kib"),
            Long("rss_file_kib"),
            Long("rss_shmem_kib"),
            double.Parse(values["seconds"], CultureInfo.InvariantCulture),
            Long("allocated_bytes"),
            (int)Long("gen0"),
            (int)Long("gen2"));
    }

    internal static double MiBPerSecond(long bytes, double seconds) => bytes / 1048576.0 / seconds;

    private static void Log(string message) => Console.WriteLine($"agent-install: {message}");
}
