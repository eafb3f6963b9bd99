using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Otter.Cli.Cli;
using Otter.Cli.Commands;
using Otter.Ledger.Records;
using Otter.Protocol;
using Otter.Protocol.Alerts;
using Otter.Protocol.Management;
using Otter.Protocol.Rollouts;
using Otter.Server.Hosting;
using Otter.Server.Setup;
using Otter.Simulator;
using Otter.Trust.Keys;

namespace Otter.Cli.Demo;

/// <summary>
/// <c>otter demo</c>: the whole of Otter in one run, in a temporary directory that is removed at
/// the end. An embedded server (SQLite) with fresh keys and log; a simulated fleet of real agents
/// (own keys and certificates, mutual TLS; some on flaky or slow links, with skewed clocks or
/// power cuts) enrolls; v1 goes to every device, v2 in a phased rollout (canaries, 50%, 100%),
/// then a faulty v3 that the canaries reject: the rollout halts itself, a signed webhook alert
/// arrives, the canaries go back to v2. Last, v2's log inclusion proof is verified as a device does.
/// </summary>
internal sealed class DemoRunner(DemoOptions options, CliEnvironment environment)
{
    private const string Hardware = "gw-x2";
    private const string CanaryTag = "canary";
    private static readonly TimeSpan RolloutLimit = TimeSpan.FromSeconds(90);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly DemoSummary _summary = new() { Devices = options.Devices };
    private TextWriter Progress => options.Json ? environment.Error : environment.Output;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var temp = Directory.CreateTempSubdirectory("otter-demo-").FullName;
        OtterServerHost? host = null;
        DemoWebhook? webhook = null;
        FleetSimulator? fleet = null;
        ManagementClient? api = null;
        try
        {
            Step($"Otter demo: {options.Devices} simulated devices, everything in {temp} (removed at the end)");
            var passphrase = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            var passphrases = new FixedPassphraseSource(passphrase);
            var keys = Path.Combine(temp, "keys");
            Directory.CreateDirectory(keys);
            var rootKey = NewKey(keys, "root", passphrase);
            var bootKey = NewKey(keys, "boot", passphrase);

            // 1. The server: keys, TUF repository, transparency log, fleet CA, a dev manufacturer CA.
            var data = Path.Combine(temp, "server");
            ServerInitResult init;
            using (var root = new KeyLoader(passphrases).Open(rootKey))
            {
                // Throw-away keys: a low PBKDF2 count keeps the start fast; they are deleted at the end.
                init = await ServerInitializer.InitAsync(
                    new ServerInitOptions { DataDirectory = data, RootKeys = [root], Hostname = "localhost", KeyFileIterations = 1000 },
                    passphrases,
                    environment.Time,
                    cancellationToken);
            }

            TuneForDemo(data);
            host = await StartServerAsync(data, passphrases, cancellationToken);
            Step($"server: management API, /repo and /log on {host.ApiUrl}; device API (mutual TLS) on {host.DeviceUrl}; log {init.LogOrigin}");
            api = ManagementClient.Create(host.ApiUrl.AbsoluteUri, init.AdminApiKey, Path.Combine(data, "pki", "ca.pem"), _ => null);

            // 2. Alerts go to a webhook that checks their signatures.
            var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            webhook = await DemoWebhook.StartAsync(secret, environment.Time, cancellationToken);
            await api.PostAsync("api/v1/alerts/webhooks", new WebhookRequest { Url = webhook.Url.AbsoluteUri, Secret = secret }, ProtocolJsonContext.Default.WebhookRequest, ProtocolJsonContext.Default.WebhookView, cancellationToken);
            Step($"alerts: signed webhook to {webhook.Url}");

            // 3. Three releases, each signed into TUF and appended to the log on publishing.
            using var bootSigner = new KeyLoader(passphrases).OpenSigner(bootKey);
            var releases = Path.Combine(temp, "releases");
            var v1 = await PublishAsync(api, SimulatedFirmware.Create(releases, "1.0.0", 1, Hardware, FirmwareBehavior.Healthy, bootSigner), "1.0.0", cancellationToken);
            var v2 = await PublishAsync(api, SimulatedFirmware.Create(releases, "2.0.0", 2, Hardware, FirmwareBehavior.Healthy, bootSigner), "2.0.0", cancellationToken);
            var v3 = await PublishAsync(api, SimulatedFirmware.Create(releases, "3.0.0", 3, Hardware, FirmwareBehavior.FailsHealthProbe, bootSigner), "3.0.0", cancellationToken);

            // 4. The fleet: provisioned at the "factory", enrolled with the server over mutual TLS.
            var trust = FleetTrust.FromServerData(data, bootSigner.PublicKey.KeyValue.Public);
            fleet = FleetSimulator.Create(trust, new FleetSimulatorOptions { Server = host.DeviceUrl, Hardware = Hardware, Time = environment.Time });
            var canaries = Math.Max(1, options.Devices / 10);
            for (var i = 0; i < options.Devices; i++)
            {
                fleet.Add($"gw-{i + 1:D4}", i < canaries ? DeviceBehavior.Healthy : BehaviorOf(i));
            }

            Step($"fleet: {Describe(fleet)}");
            await fleet.RunCycleAsync(cancellationToken: cancellationToken);
            var lagging = fleet.Devices.Where(d => d.FailedCycles > 0).ToList();
            if (lagging.Count > 0)
            {
                await fleet.RunCycleAsync(lagging, cancellationToken);
            }

            var devices = await api.GetAsync("api/v1/devices?limit=1000", ProtocolJsonContext.Default.ListDeviceView, cancellationToken);
            _summary.Enrolled = devices.Count;
            Expect(devices.Count == options.Devices, $"{devices.Count} of {options.Devices} devices enrolled");
            foreach (var device in fleet.Devices.Take(canaries))
            {
                await api.PostAsync($"api/v1/devices/{device.Id}/tags", new TagRequest { Add = [CanaryTag] }, ProtocolJsonContext.Default.TagRequest, ProtocolJsonContext.Default.DeviceView, cancellationToken);
            }

            Step($"enrolled {devices.Count} devices (factory identity -> fleet certificate); tagged {canaries} as {CanaryTag}");

            // 5. Rollouts while the fleet checks in on its own.
            fleet.Start(TimeSpan.FromMilliseconds(250));
            var first = await RolloutAsync(api, v1, ["100"], rollbackOnHalt: false, cancellationToken);
            Expect(first.Status == "completed", $"the v1 rollout ended {first.Status}");
            var second = await RolloutAsync(api, v2, [$"tag:{CanaryTag}", "50", "100"], rollbackOnHalt: false, cancellationToken);
            Expect(second.Status == "completed", $"the v2 rollout ended {second.Status}");
            var onV2 = fleet.Devices.Count(d => d.RunningVersion == "2.0.0");
            Expect(onV2 == options.Devices, $"{onV2} of {options.Devices} devices run 2.0.0 after the v2 rollout");

            var third = await RolloutAsync(api, v3, [$"tag:{CanaryTag}", "100"], rollbackOnHalt: true, cancellationToken);
            Expect(third.Status == "halted", $"the faulty v3 rollout ended {third.Status}, not halted");
            Expect(third.Committed == 0, $"{third.Committed} devices committed the faulty v3");
            var canaryDevices = fleet.Devices.Take(canaries).ToList();
            var back = await WaitAsync(() => canaryDevices.All(d => d.RunningVersion == "2.0.0") && webhook.Verified.Any(a => a.Kind == "rollout.halted"), TimeSpan.FromSeconds(30), cancellationToken);
            var runningV2 = canaryDevices.Count(d => d.RunningVersion == "2.0.0");
            Step($"canaries: {canaryDevices.Count(d => d.RolledBack > 0)} of {canaries} failed 3.0.0's health check and rolled back on the device; {runningV2} of {canaries} run 2.0.0 again");
            Expect(back || runningV2 == canaries, $"{runningV2} of {canaries} canaries run 2.0.0 after the halt");
            var untouched = fleet.Devices.Skip(canaries).Count(d => !d.Installs.ContainsKey(v3.Name));
            Step($"the other {options.Devices - canaries} devices never downloaded 3.0.0: {untouched} of {options.Devices - canaries}");
            Expect(untouched == options.Devices - canaries, $"{options.Devices - canaries - untouched} devices outside the canary wave installed 3.0.0");
            await fleet.StopAsync();

            foreach (var alert in webhook.Verified)
            {
                _summary.Alerts.Add($"{alert.Kind} ({alert.Severity}): {alert.Summary}");
            }

            Step($"alerts received with a valid signature: {webhook.Verified.Count} ({string.Join(", ", webhook.Verified.Select(a => a.Kind).Distinct())}); refused: {webhook.Refused}");
            Expect(webhook.Verified.Any(a => a.Kind == "rollout.halted"), "no signed rollout.halted alert arrived");

            // 6. The proof a device checks before installing, shown for v2.
            await ProveAsync(host, trust, v2, cancellationToken);

            Faults(fleet);
            _summary.Passed = _summary.Failures.Count == 0;
            _summary.WallSeconds = Math.Round(_clock.Elapsed.TotalSeconds, 1);
            Report();
            return _summary.Passed ? ExitCodes.Success : ExitCodes.VerificationFailed;
        }
        finally
        {
            // Nothing stays running or on disk, whatever happened.
            try
            {
                if (fleet is not null)
                {
                    await fleet.StopAsync();
                }
            }
            finally
            {
                fleet?.Dispose();
                api?.Dispose();
                try
                {
                    if (webhook is not null)
                    {
                        await webhook.DisposeAsync();
                    }

                    if (host is not null)
                    {
                        await host.DisposeAsync();
                    }
                }
                finally
                {
                    Directory.Delete(temp, recursive: true);
                }
            }
        }
    }

    private static DeviceBehavior BehaviorOf(int index) => (index % 10) switch
    {
        3 => DeviceBehavior.FlakyNetwork,
        6 => DeviceBehavior.SlowLink,
        8 => DeviceBehavior.ClockSkew,
        9 => DeviceBehavior.PowerCut,
        _ => DeviceBehavior.Healthy,
    };

    private static string Describe(FleetSimulator fleet) =>
        string.Join(", ", fleet.Devices.GroupBy(d => d.Behavior).OrderBy(g => g.Key).Select(g => g.Key switch
        {
            DeviceBehavior.Healthy => $"{g.Count()} healthy",
            DeviceBehavior.FlakyNetwork => $"{g.Count()} on flaky links (downloads reset halfway)",
            DeviceBehavior.SlowLink => $"{g.Count()} on slow links",
            DeviceBehavior.ClockSkew => $"{g.Count()} with clocks 5 h off",
            DeviceBehavior.PowerCut => $"{g.Count()} with random power cuts",
            _ => $"{g.Count()} {g.Key}",
        }));

    private static string NewKey(string directory, string name, string passphrase)
    {
        var path = Path.Combine(directory, name + ".key");
        using var key = EcdsaP256.Generate();
        KeyFile.Write(path, key, passphrase, iterations: 1000);
        return path;
    }

    /// <summary>The demo's server ticks its rollout engine every second and lets devices check in often (the defaults suit real fleets, not a two-minute show).</summary>
    private static void TuneForDemo(string data)
    {
        var path = Path.Combine(data, "server.json");
        var settings = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        settings["rollout_tick_seconds"] = 1;
        settings["device_requests_per_minute"] = 100_000;
        settings["check_in_interval_seconds"] = 1;
        File.WriteAllText(path, settings.ToJsonString());
    }

    private async Task<OtterServerHost> StartServerAsync(string data, IPassphraseSource passphrases, CancellationToken cancellationToken)
    {
        var apiUrl = options.Port == 0 ? "https://127.0.0.1:0" : $"https://127.0.0.1:{options.Port}";
        var deviceUrl = options.Port == 0 ? "https://127.0.0.1:0" : $"https://127.0.0.1:{options.Port + 1}";
        var host = await OtterServerHost.CreateAsync(
            new ServerRunOptions { DataDirectory = data, ApiUrl = apiUrl, DeviceUrl = deviceUrl },
            passphrases,
            environment.Time,
            logging: _ => { },
            cancellationToken: cancellationToken);
        try
        {
            await host.StartAsync(cancellationToken);
            return host;
        }
        catch (ServerSetupException ex)
        {
            await host.DisposeAsync();
            throw new UsageException($"--port {options.Port}: the demo needs 127.0.0.1:{options.Port} (management API) and 127.0.0.1:{options.Port + 1} (device API), and one of them is taken ({ex.Message.Split(';')[0]}). Choose another --port, or leave --port out to use free ports.");
        }
    }

    private async Task<ReleaseInfo> PublishAsync(ManagementClient api, string bundle, string version, CancellationToken cancellationToken)
    {
        var name = $"fw/{Hardware}/{version}.bundle";
        await using var stream = File.OpenRead(bundle);
        var result = await api.UploadAsync($"api/v1/releases?name={Uri.EscapeDataString(name)}", stream, stream.Length, ProtocolJsonContext.Default.PublishResult, cancellationToken);
        Step($"published {name}: {result.Release.Length} bytes, sha256 {result.Release.Sha256[..16]}…, log entry {result.Release.LogIndex} (log size {result.LogSize}), TUF targets v{result.TargetsVersion}");
        return result.Release;
    }

    private async Task<DemoRolloutSummary> RolloutAsync(ManagementClient api, ReleaseInfo release, List<string> waves, bool rollbackOnHalt, CancellationToken cancellationToken)
    {
        var started = _clock.Elapsed;
        var request = new RolloutRequest { Release = release.Name, Waves = waves, Soak = "2s", SuccessPercent = 100, ErrorPercent = 5, RollbackOnHalt = rollbackOnHalt };
        var view = await api.PostAsync("api/v1/rollouts", request, ProtocolJsonContext.Default.RolloutRequest, ProtocolJsonContext.Default.RolloutView, cancellationToken);
        view = await api.PostAsync($"api/v1/rollouts/{view.Id}/start", ProtocolJsonContext.Default.RolloutView, cancellationToken);
        Step($"rollout {view.Id}: {release.Version} to {view.DeviceCount} devices in waves {string.Join(", ", waves)} (soak 2 s, halt at {request.ErrorPercent}% errors{(rollbackOnHalt ? ", roll the wave back on halt" : string.Empty)})");
        var last = string.Empty;
        while (view.Status is "running" or "paused" or "created" or "scheduled")
        {
            if (_clock.Elapsed - started > RolloutLimit)
            {
                Expect(false, $"rollout {view.Id} of {release.Version} did not finish within {RolloutLimit.TotalSeconds:0} s");
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), environment.Time, cancellationToken);
            view = await api.GetAsync($"api/v1/rollouts/{view.Id}", ProtocolJsonContext.Default.RolloutView, cancellationToken);
            var line = Line(view);
            if (line != last)
            {
                Step("  " + line);
                last = line;
            }
        }

        if (view.HaltReason is { } reason)
        {
            Step($"  halted: {reason}");
        }

        var summary = new DemoRolloutSummary
        {
            Id = view.Id,
            Release = release.Name,
            Version = release.Version,
            Status = view.Status,
            HaltReason = view.HaltReason,
            Committed = view.Waves.Sum(w => w.Committed),
            Failed = view.Waves.Sum(w => w.Failed + w.RolledBack + w.TimedOut),
            Total = view.DeviceCount,
            Waves = [.. view.Waves.Select(w => $"{w.Spec}: {w.Status}, {w.Committed}/{w.Total} committed, {w.Failed + w.RolledBack} failed, {w.Reverted} reverted")],
            Seconds = Math.Round((_clock.Elapsed - started).TotalSeconds, 1),
        };
        _summary.Rollouts.Add(summary);
        return summary;
    }

    private static string Line(RolloutView view)
    {
        var waves = string.Join(" | ", view.Waves.Select(w =>
        {
            var flight = w.Assigned + w.Downloading + w.Installed;
            var failed = w.Failed + w.RolledBack + w.TimedOut;
            return $"{w.Spec} {w.Committed}/{w.Total}" + (flight > 0 ? $" ({flight} in flight)" : string.Empty) + (failed > 0 ? $" {failed} failed" : string.Empty) + (w.Reverted > 0 ? $" {w.Reverted} reverted" : string.Empty);
        }));
        return $"{view.Status,-9} wave {Math.Clamp(view.CurrentWave, 1, Math.Max(1, view.Waves.Count))}/{view.Waves.Count}: {waves}";
    }

    private async Task ProveAsync(OtterServerHost host, FleetTrust trust, ReleaseInfo release, CancellationToken cancellationToken)
    {
        using var ca = X509Certificate2.CreateFromPem(trust.FleetCaPem);
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { ca }, RevocationMode = X509RevocationMode.NoCheck },
            },
        };
        using var http = new HttpClient(handler, disposeHandler: false);
        var record = new ReleaseRecord
        {
            Name = release.Name,
            Version = release.Version,
            Sha256 = release.Sha256,
            Length = release.Length,
            SecurityCounter = release.SecurityCounter,
            Hardware = release.Hardware,
            Kind = "bundle",
        };
        var proof = new DemoProofSummary { Release = release.Name, Index = release.LogIndex };
        _summary.Proof = proof;
        try
        {
            var result = await LogInclusionCheck.VerifyAsync(http, new Uri(host.ApiUrl, "log/"), trust, record, release.LogIndex, cancellationToken);
            proof.Verified = true;
            proof.Origin = result.Origin;
            proof.TreeSize = result.TreeSize;
            proof.RootHash = result.RootHash;
            proof.LeafHash = result.LeafHash;
            proof.ProofHashes = result.Proof.Count;
            Step($"log proof for {release.Name}, as a device checks it before installing:");
            Step($"  checkpoint  {result.Origin}, size {result.TreeSize}, root {result.RootHash}: signature verified with the provisioned log key");
            Step($"  entry {result.Index}    {result.Entry}");
            Step($"  leaf hash   {result.LeafHash}");
            for (var i = 0; i < result.Proof.Count; i++)
            {
                Step($"  path[{i}]     {result.Proof[i]}");
            }

            Step($"  inclusion proof VERIFIED: the release is in the log everyone sees");
        }
        catch (Otter.Ledger.LedgerException ex)
        {
            Expect(false, $"the log inclusion proof of {release.Name} does not verify: {ex.Message}");
        }
    }

    private void Faults(FleetSimulator fleet)
    {
        var devices = fleet.Devices;
        _summary.Faults = new DemoFaultSummary
        {
            FlakyDevices = devices.Count(d => d.Behavior == DeviceBehavior.FlakyNetwork),
            ConnectionResets = devices.Sum(d => d.Network.Resets),
            SlowDevices = devices.Count(d => d.Behavior == DeviceBehavior.SlowLink),
            SkewedClocks = devices.Count(d => d.Behavior == DeviceBehavior.ClockSkew),
            PowerCutDevices = devices.Count(d => d.Behavior == DeviceBehavior.PowerCut),
            PowerCuts = devices.Sum(d => d.PowerCuts.Count),
            Bricked = devices.Sum(d => d.Bricked),
        };
        Expect(_summary.Faults.Bricked == 0, $"{_summary.Faults.Bricked} devices were left without a verified image after a power cut");
    }

    private void Report()
    {
        if (options.Json)
        {
            Output.Json(environment.Output, _summary, DemoJsonContext.Default.DemoSummary);
            return;
        }

        var output = environment.Output;
        output.WriteLine();
        var table = new TextTable("rollout", "release", "result", "committed", "failed", "waves", "seconds");
        foreach (var rollout in _summary.Rollouts)
        {
            table.Add(
                Output.Number(rollout.Id),
                rollout.Version,
                rollout.Status + (rollout.HaltReason is null ? string.Empty : " (self-halted)"),
                $"{rollout.Committed}/{rollout.Total}",
                Output.Number(rollout.Failed),
                Output.Number(rollout.Waves.Count),
                rollout.Seconds.ToString("0.0", CultureInfo.InvariantCulture));
        }

        table.WriteTo(output);
        output.WriteLine();
        var faults = _summary.Faults;
        output.WriteLine($"devices     {_summary.Enrolled}/{_summary.Devices} enrolled over mutual TLS, each with its own key and certificate");
        output.WriteLine($"faults      {faults.ConnectionResets} download resets on {faults.FlakyDevices} flaky links (resumed), {faults.SlowDevices} slow links, {faults.SkewedClocks} skewed clocks, {faults.PowerCuts} power cuts on {faults.PowerCutDevices} devices, {faults.Bricked} bricked");
        output.WriteLine($"alerts      {(_summary.Alerts.Count == 0 ? "none" : string.Join(", ", _summary.Alerts.GroupBy(a => a.Split(' ')[0]).Select(g => $"{g.Count()} {g.Key}")))}, each with a verified webhook signature");
        output.WriteLine($"log proof   {(_summary.Proof is { Verified: true } p ? $"{p.Release}: entry {p.Index} of {p.TreeSize}, {p.ProofHashes} hashes, verified" : "NOT verified")}");
        output.WriteLine($"wall time   {_summary.WallSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        if (_summary.Passed)
        {
            output.WriteLine("demo passed: v1 and v2 rolled out, the faulty v3 halted itself at the canaries and was rolled back, the log proof verified.");
        }
        else
        {
            foreach (var failure in _summary.Failures)
            {
                output.WriteLine($"FAILED: {failure}");
            }
        }
    }

    private async Task<bool> WaitAsync(Func<bool> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        var until = _clock.Elapsed + limit;
        while (!condition())
        {
            if (_clock.Elapsed > until)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), environment.Time, cancellationToken);
        }

        return true;
    }

    private void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            _summary.Failures.Add(failure);
            Step("FAILED: " + failure);
        }
    }

    private void Step(string message)
    {
        Progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,5:0.0}s] {message}"));
        Progress.Flush();
    }
}
