using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Otter.Protocol;
using Otter.Protocol.Rollouts;
using Otter.Simulator;
using Otter.Trust.Keys;

namespace Otter.Benchmarks;

/// <summary>
/// <c>fleet-rollout</c>: a phased rollout (waves 1%, 10%, 50%, 100%, soak 0 s, success threshold
/// 100%) to <c>--devices</c> simulated devices, each a real <c>Otter.Agent</c> fleet agent
/// (<see cref="FleetSimulator"/>: its own device key, a factory identity, enrollment for a fleet
/// certificate, then check-ins, TUF and log verification, download and install into the inactive
/// slot, trial boot and commit, all over HTTPS with mutual TLS) against the real
/// <c>otter server run</c> in a child process, its rollout engine on its own loop. Measures the
/// rollout's duration and the server process's peak memory (target under 1 GiB at 100,000
/// devices), samples progress and server memory every second for a chart, and checks that every
/// device installed the release exactly once.
/// </summary>
internal static class FleetRolloutHarness
{
    public const string Command = "fleet-rollout";

    public const string Release = "fw/gw-x2/2.0.0.bundle";

    public static readonly IReadOnlyList<string> Waves = ["1", "10", "50", "100"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        FleetRolloutOptions options;
        try
        {
            options = FleetRolloutOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"{Command}: {ex.Message}");
            return 2;
        }

        var started = DateTimeOffset.UtcNow;
        var loadBefore = MachineLine.LoadAverage();
        var root = options.WorkDirectory ?? Directory.CreateTempSubdirectory("otter-bench-fleet-").FullName;
        Directory.CreateDirectory(root);
        Log($"work directory {root}");
        try
        {
            var result = await MeasureAsync(options, root);
            var report = new FleetRolloutReport(options, result, MachineLine.Describe(started, loadBefore));
            foreach (var line in report.TargetLines())
            {
                Log(line);
            }

            if (options.ResultsDirectory is { } results)
            {
                Directory.CreateDirectory(results);
                await File.WriteAllTextAsync(Path.Combine(results, Command + ".md"), report.Section());
                await File.WriteAllLinesAsync(Path.Combine(results, Command + "-targets.md"), report.TargetLines());
                await File.WriteAllTextAsync(Path.Combine(results, Command + ".svg"), report.Chart());
                Log($"wrote {Path.Combine(results, Command + ".md")}, {Command}-targets.md and {Command}.svg");
            }

            return 0;
        }
        finally
        {
            HarnessLogs.Save(root, options.ResultsDirectory, Command);
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

    private static async Task<FleetSimulationResult> MeasureAsync(FleetRolloutOptions options, string root)
    {
        // A device is limited by its own pace here, not by the per-device rate limit; the engine ticks every --tick-s.
        using var instance = await OtterServerInstance.InitAsync(Path.Combine(root, "server"), 100_000);
        var settingsPath = Path.Combine(instance.DataDirectory, "server.json");
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(settingsPath))!.AsObject();
        settings["rollout_tick_seconds"] = options.TickSeconds;
        await File.WriteAllTextAsync(settingsPath, settings.ToJsonString());
        await using var server = await instance.StartAsync(Path.Combine(root, "otter-server.log"));
        var apiUrl = new Uri(server.Ready.Groups["api"].Value);
        var deviceUrl = new Uri(server.Ready.Groups["device"].Value);
        using var api = instance.Api(apiUrl);

        var bootKeyPath = Path.Combine(root, "boot.key");
        using (var key = EcdsaP256.Generate())
        {
            KeyFile.Write(bootKeyPath, key, OtterServerInstance.Passphrase, iterations: 1000);
        }

        using var bootKey = new KeyLoader(OtterServerInstance.Passphrases).OpenSigner(bootKeyPath);
        var bundle = SimulatedFirmware.Create(Path.Combine(root, "release"), "2.0.0", 2, "gw-x2", FirmwareBehavior.Healthy, bootKey, osBytes: 64 * 1024);
        await using (var file = File.OpenRead(bundle))
        {
            using var content = new StreamContent(file);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var published = await api.PostAsync($"api/v1/releases?name={Uri.EscapeDataString(Release)}", content);
            published.EnsureSuccessStatusCode();
        }

        var trust = FleetTrust.FromServerData(instance.DataDirectory, bootKey.PublicKey.KeyValue.Public);
        using var fleet = FleetSimulator.Create(trust, new FleetSimulatorOptions { Server = deviceUrl, Concurrency = options.Concurrency });
        for (var i = 0; i < options.Devices; i++)
        {
            fleet.Add(DeviceIds.For(i));
        }

        Log(string.Create(CultureInfo.InvariantCulture, $"provisioned {options.Devices:N0} in-memory devices; simulator RSS {ProcessStatus.Read("VmRSS:") / 1024.0:F0} MiB"));

        // Enrollment: every device's first cycle (CSR with its own key, factory signature, fleet certificate), then a check-in over mTLS.
        var clock = Stopwatch.StartNew();
        await fleet.RunCycleAsync();
        for (var retry = 0; retry < 3 && fleet.Devices.Any(d => d.FailedCycles > 0 && d.Cycles == d.FailedCycles); retry++)
        {
            await fleet.RunCycleAsync(fleet.Devices.Where(d => d.Cycles == d.FailedCycles));
        }

        var enrollSeconds = clock.Elapsed.TotalSeconds;
        var enrollPeak = server.PeakResidentMiB();
        var unenrolled = fleet.Devices.Count(d => d.Cycles == d.FailedCycles);
        if (unenrolled > 0)
        {
            throw new InvalidOperationException($"{unenrolled} devices did not enroll; e.g. {fleet.Devices.First(d => d.Cycles == d.FailedCycles).LastError}");
        }

        Log(string.Create(CultureInfo.InvariantCulture, $"enrolled {options.Devices:N0} devices in {enrollSeconds:F1} s ({options.Devices / enrollSeconds:N0}/s); server peak {enrollPeak:F0} MiB"));

        using var created = await api.PostAsJsonAsync("api/v1/rollouts", new RolloutRequest { Release = Release, Waves = [.. Waves], Soak = "0s", SuccessPercent = 100, InstallTimeout = "6h" }, ProtocolJsonContext.Default.RolloutRequest);
        created.EnsureSuccessStatusCode();
        var rollout = (await created.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.RolloutView))!;
        (await api.PostAsync($"api/v1/rollouts/{rollout.Id}/start", null)).EnsureSuccessStatusCode();
        clock.Restart();
        fleet.Start(TimeSpan.Zero);
        var samples = new List<FleetRolloutSample>();
        var waveDone = new List<double>();
        RolloutView status;
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                status = (await api.GetFromJsonAsync($"api/v1/rollouts/{rollout.Id}", ProtocolJsonContext.Default.RolloutView))!;
                var committed = status.Waves.Sum(w => w.Committed);
                samples.Add(new FleetRolloutSample(clock.Elapsed.TotalSeconds, committed, ResidentMiB(server.Id)));
                while (waveDone.Count < status.Waves.Count && status.Waves[waveDone.Count].Committed == status.Waves[waveDone.Count].Total)
                {
                    waveDone.Add(clock.Elapsed.TotalSeconds);
                    Log(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F1} s: wave {waveDone.Count} ({status.Waves[waveDone.Count - 1].Total:N0} devices) committed; server RSS {samples[^1].ServerRssMiB:F0} MiB"));
                }

                if (samples.Count % 30 == 0)
                {
                    Log(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F0} s: {committed:N0} of {options.Devices:N0} committed, {fleet.Sweeps} sweeps; server RSS {samples[^1].ServerRssMiB:F0} MiB"));
                }

                if (status.Status != "running")
                {
                    break;
                }

                if (clock.Elapsed > TimeSpan.FromMinutes(options.LimitMinutes))
                {
                    throw new TimeoutException($"the rollout did not complete within {options.LimitMinutes} minutes ({samples[^1].Committed:N0} of {options.Devices:N0} committed)");
                }
            }
        }
        finally
        {
            await fleet.StopAsync();
        }

        var rolloutSeconds = clock.Elapsed.TotalSeconds;
        var devices = fleet.Devices;
        var updatedOnce = devices.Count(d => d.Installs.GetValueOrDefault(Release) == 1 && d.RunningVersion == "2.0.0");
        if (status.Status != "completed" || updatedOnce != options.Devices)
        {
            throw new InvalidOperationException($"rollout {status.Status} {status.HaltReason}; {updatedOnce:N0} of {options.Devices:N0} devices installed {Release} exactly once and run it; e.g. {devices.FirstOrDefault(d => d.RunningVersion != "2.0.0")?.LastError}");
        }

        return new FleetSimulationResult
        {
            Devices = options.Devices,
            Waves = Waves,
            WaveSizes = [.. status.Waves.Select(w => w.Total)],
            WaveDoneSeconds = waveDone,
            EnrollSeconds = enrollSeconds,
            RolloutSeconds = rolloutSeconds,
            Cycles = devices.Sum(d => (long)d.Cycles),
            FailedCycles = devices.Sum(d => (long)d.FailedCycles),
            UpdatedOnce = updatedOnce,
            ServerPeakMiB = server.PeakResidentMiB(),
            ServerPeakEnrollMiB = enrollPeak,
            SimulatorPeakMiB = ProcessStatus.Read("VmHWM:") / 1024.0,
            BundleBytes = new FileInfo(bundle).Length,
            Samples = samples,
        };
    }

    private static double ResidentMiB(int pid)
    {
        try
        {
            var line = File.ReadLines(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/status")).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? -1 : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static void Log(string message) => Console.WriteLine($"{Command}: {message}");
}
