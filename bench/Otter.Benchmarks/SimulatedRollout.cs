using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Protocol.Rollouts;

namespace Otter.Benchmarks;

/// <summary>
/// The end-to-end part of <c>rollout-engine</c>: <c>--fleet</c> device rows with token secrets
/// inserted into a new server's SQLite file, a rollout over all of them (waves 1,10,50,100, soak
/// 0s, no rate limit, success threshold 100% so that completed means every device committed),
/// and simulated devices that speak the real device API over HTTPS with signed device tokens
/// (<see cref="DeviceToken"/>, no client certificates): <c>--concurrency</c> closed-loop workers,
/// each with one keep-alive connection, check their devices in round-robin; a device told to
/// update reports downloading, installed and committed at once and runs the release from then on.
/// The engine is ticked by the bench every <c>--tick-s</c> seconds, as the server's own loop would.
/// </summary>
internal static class SimulatedRollout
{
    public const string Release = EngineTickBench.Release;

    public static readonly IReadOnlyList<string> Waves = ["1", "10", "50", "100"];

    private const string Previous = "gw-x2/fw-1.5.1.otb";
    private const string CheckInPath = "device/v1/checkin";
    private const string ReportsPath = "device/v1/reports";

    // A run that has not completed by then is a failure, not a slow result.
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    public static async Task<FleetRolloutResult> RunAsync(RolloutEngineOptions options, string root, Action<string> log)
    {
        // The per-device rate limit raised as in server-checkin: the simulation compresses a
        // device's check-in interval from a minute to a few seconds.
        using var server = await OtterServerInstance.InitAsync(Path.Combine(root, "fleet"), CheckInHarness.RequestsPerMinute);
        using var factoryCa = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(server.DataDirectory, "dev-factory", "ca.pem")));
        var secrets = new byte[options.Fleet][];
        var insertSeconds = DeviceTableFiller.Fill(server.SqliteDatabase, 0, options.Fleet, factoryCa.Subject, BenchDevice.Hardware, secrets);
        var devices = Enumerable.Range(0, options.Fleet).Select(i => new TokenDevice(DeviceIds.For(i), secrets[i], Previous)).ToArray();
        log(string.Create(CultureInfo.InvariantCulture, $"fleet: inserted {options.Fleet:N0} device rows with token secrets in {insertSeconds:F1} s"));

        // The peak of this part alone, not of the million-device one before it.
        GC.Collect();
        var peakIsFleet = ProcessStatus.ResetPeak();
        await using var otter = await InProcessOtter.StartAsync(server);
        await otter.PublishAsync(Path.Combine(server.Root, "release"), Release, "2.0.0", 5);
        var tls = await TlsProbe.DescribeAsync(otter.DeviceUrl, server.CaCertificate, null);
        var clients = Enumerable.Range(0, options.Concurrency).Select(_ => new HttpClient(server.Handler(null))
        {
            BaseAddress = otter.DeviceUrl,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        }).ToArray();
        try
        {
            var shares = Enumerable.Range(0, options.Concurrency).Select(w => devices.Where((_, i) => i % options.Concurrency == w).ToArray()).ToArray();

            // Untimed: every device checks in once (connections opened, tokens accepted, nothing to do yet).
            var stopwatch = Stopwatch.StartNew();
            var first = await Task.WhenAll(shares.Select((share, w) => Task.Run(() => WorkAsync(clients[w], share, once: true, CancellationToken.None))));
            var firstSweepSeconds = stopwatch.Elapsed.TotalSeconds;
            if (first.Sum(s => s.Errors) > 0 || first.Sum(s => s.Reports) > 0)
            {
                throw new InvalidOperationException($"the first check-ins: {first.Sum(s => s.Errors)} failed, {first.Sum(s => s.Reports)} reports (first error: {first.Select(s => s.FirstError).FirstOrDefault(e => e is not null)})");
            }

            log(string.Create(CultureInfo.InvariantCulture, $"fleet: every device checked in once with a device token in {firstSweepSeconds:F1} s ({options.Fleet / firstSweepSeconds:N0} check-ins/s, {options.Concurrency} connections)"));

            stopwatch.Restart();
            var rollout = await otter.CreateRolloutAsync(new RolloutRequest { Release = Release, Waves = [.. Waves], Soak = "0s", SuccessPercent = 100 });
            var createSeconds = stopwatch.Elapsed.TotalSeconds;
            await otter.ActAsync(rollout.Id, "start");
            var wall = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var workers = shares.Select((share, w) => Task.Run(() => WorkAsync(clients[w], share, once: false, stop.Token))).ToArray();
            var ticks = new List<double>();
            var waveDone = new List<double>();
            var engine = otter.Engine;
            double wallSeconds;
            try
            {
                while (true)
                {
                    var start = Stopwatch.GetTimestamp();
                    var result = await engine.TickAsync(CancellationToken.None);
                    ticks.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    foreach (var transition in result.Transitions)
                    {
                        log(string.Create(CultureInfo.InvariantCulture, $"fleet: {wall.Elapsed.TotalSeconds:F1} s, tick {ticks.Count}: {transition}"));
                        if (transition.StartsWith("promote ", StringComparison.Ordinal) || transition.StartsWith("complete ", StringComparison.Ordinal))
                        {
                            waveDone.Add(wall.Elapsed.TotalSeconds);
                        }
                        else if (transition.StartsWith("halt ", StringComparison.Ordinal))
                        {
                            throw new InvalidOperationException($"the rollout halted: {transition}");
                        }
                    }

                    if (result.Transitions.Any(t => t.StartsWith("complete ", StringComparison.Ordinal)))
                    {
                        wallSeconds = wall.Elapsed.TotalSeconds;
                        break;
                    }

                    if (ticks.Count % 10 == 0)
                    {
                        var progress = await otter.StatusAsync(rollout.Id);
                        log(string.Create(CultureInfo.InvariantCulture, $"fleet: {wall.Elapsed.TotalSeconds:F1} s, tick {ticks.Count}: wave {progress.CurrentWave}; {string.Join("; ", progress.Waves.Select(w => $"{w.Committed}/{w.Total} committed, {w.Assigned + w.Downloading + w.Installed} in flight, {w.Pending} pending"))}"));
                    }

                    if (wall.Elapsed > Limit)
                    {
                        throw new TimeoutException($"the rollout did not complete within {Limit.TotalMinutes} minutes ({ticks.Count} ticks)");
                    }

                    // As the server's loop: the interval is waited after each tick.
                    await Task.Delay(TimeSpan.FromSeconds(options.TickSeconds));
                }
            }
            finally
            {
                await stop.CancelAsync();
            }

            var stats = await Task.WhenAll(workers);
            var latencies = stats.SelectMany(s => s.Latencies).ToArray();
            Array.Sort(latencies);
            var status = await otter.StatusAsync(rollout.Id);
            if (status.Status != "completed" || status.Waves.Any(w => w.Committed != w.Total) || devices.Any(d => d.Updates != 1 || d.Running != Release))
            {
                throw new InvalidOperationException(
                    $"after completion: status {status.Status}, waves committed {string.Join("/", status.Waves.Select(w => $"{w.Committed}/{w.Total}"))}, {devices.Count(d => d.Updates != 1)} devices not updated exactly once");
            }

            return new FleetRolloutResult
            {
                Devices = options.Fleet,
                Waves = Waves,
                WaveSizes = [.. status.Waves.Select(w => w.Total)],
                InsertSeconds = insertSeconds,
                FirstSweepSeconds = firstSweepSeconds,
                CreateSeconds = createSeconds,
                WallSeconds = wallSeconds,
                Ticks = ticks.Count,
                TickMeanMs = ticks.Average(),
                TickMaxMs = ticks.Max(),
                WaveDoneSeconds = waveDone,
                CheckIns = stats.Sum(s => s.CheckIns),
                Reports = stats.Sum(s => s.Reports),
                Errors = stats.Sum(s => s.Errors),
                FirstError = stats.Select(s => s.FirstError).FirstOrDefault(e => e is not null),
                CheckInLatencies = latencies,
                LoadSeconds = stats.Max(s => s.Seconds),
                PeakMiB = ProcessStatus.Read("VmHWM:") / 1024.0,
                PeakIsFleet = peakIsFleet,
                Tls = tls,
            };
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>One worker: its devices in turn, each checking in and carrying out an offered update, until stopped (or once each).</summary>
    private static async Task<FleetWorkerStats> WorkAsync(HttpClient client, TokenDevice[] share, bool once, CancellationToken stop)
    {
        var stats = new FleetWorkerStats();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; !stop.IsCancellationRequested && !(once && i == share.Length); i++)
        {
            var device = share[i % share.Length];
            try
            {
                var start = Stopwatch.GetTimestamp();
                var answer = await CheckInAsync(client, device);
                stats.Latencies.Add(Stopwatch.GetTimestamp() - start);
                stats.CheckIns++;
                if (answer.Action == DeviceActions.Update && answer.Update is { } update)
                {
                    foreach (var phase in new[] { ReportPhases.Downloading, ReportPhases.Installed, ReportPhases.Committed })
                    {
                        await PostAsync(client, device, ReportsPath, JsonSerializer.SerializeToUtf8Bytes(new DeviceReport { Phase = phase, Target = update.Target, Version = update.Version }, ProtocolJsonContext.Default.DeviceReport));
                        stats.Reports++;
                    }

                    device.Running = update.Target;
                    device.Updates++;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or JsonException or TaskCanceledException)
            {
                // Counted and reported; the device tries again at its next turn.
                stats.Errors++;
                stats.FirstError ??= ex.Message;
            }
        }

        stats.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return stats;
    }

    private static async Task<CheckInResponse> CheckInAsync(HttpClient client, TokenDevice device)
    {
        // What the agent sends: slot a booted and good with what it runs, slot b empty.
        var request = new CheckInRequest
        {
            ActiveSlot = "a",
            BootedSlot = "a",
            Health = "healthy",
            SecurityCounter = device.Updates == 0 ? 4 : 5,
            Slots = new Dictionary<string, SlotReport>(StringComparer.Ordinal)
            {
                ["a"] = new() { State = "good", Target = device.Running, Version = device.Updates == 0 ? "1.5.1" : "2.0.0", SecurityCounter = device.Updates == 0 ? 4 : 5 },
                ["b"] = new() { State = "empty" },
            },
        };
        var answer = await PostAsync(client, device, CheckInPath, JsonSerializer.SerializeToUtf8Bytes(request, ProtocolJsonContext.Default.CheckInRequest));
        return JsonSerializer.Deserialize(answer, ProtocolJsonContext.Default.CheckInResponse)
            ?? throw new InvalidOperationException($"{device.Id}: an empty check-in answer");
    }

    /// <summary>A POST signed as the agent signs it (<c>DeviceApiClient</c>): HMAC-SHA256 over method, path, body hash, time and a nonce.</summary>
    private static async Task<byte[]> PostAsync(HttpClient client, TokenDevice device, string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", DeviceToken.Create(device.Id, device.Secret, "POST", "/" + path, body, DateTimeOffset.UtcNow));
        using var response = await client.SendAsync(request);
        var answer = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode
            ? answer
            : throw new InvalidOperationException($"{device.Id}: /{path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}");
    }
}
