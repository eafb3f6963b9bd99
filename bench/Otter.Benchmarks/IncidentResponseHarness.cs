using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Otter.Protocol;
using Otter.Protocol.Alerts;
using Otter.Server.Setup;

namespace Otter.Benchmarks;

/// <summary>
/// <c>incident-response</c>: how long from a tampered device's check-in until it is quarantined
/// and the high-priority alert has reached a webhook (DESIGN: under one check-in interval plus one
/// second), against the same devices' normal check-ins in the same run.
/// </summary>
/// <remarks>
/// A new server in the bench process with its background loops on (the alert dispatcher
/// delivers), a signed webhook on loopback, a published release. Each device enrolls over mTLS,
/// checks in <c>--normal</c> times with a good quote of the release (the reference round trip),
/// then once with a quote of another measurement: the sample's clock starts as that check-in is
/// sent. Its answer ends the quarantine time (the server quarantines before it answers; the
/// device's next check-in must get 403 or the run fails), the webhook's arrival the alert time.
/// </remarks>
internal static class IncidentResponseHarness
{
    public const string Command = "incident-response";
    private const string Release = "fw/gw-x2/1.0.0.otb";
    private const string Secret = "bench-incident-response-0123456789";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        IncidentResponseOptions options;
        try
        {
            options = IncidentResponseOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"{Command}: {ex.Message}");
            return 2;
        }

        var started = DateTimeOffset.UtcNow;
        var loadBefore = MachineLine.LoadAverage();
        var clock = Stopwatch.StartNew();
        var root = options.WorkDirectory ?? Directory.CreateTempSubdirectory("otter-bench-incident-").FullName;
        Log($"work directory {root}");
        try
        {
            using var server = await OtterServerInstance.InitAsync(root, deviceRequestsPerMinute: null);
            var interval = ServerState.ReadSettings(new ServerPaths(server.DataDirectory)).CheckInIntervalSeconds;
            await using var otter = await InProcessOtter.StartAsync(server, backgroundWork: true);
            await using var webhook = await TimedWebhook.StartAsync(Secret);
            using (var response = await otter.Api.PostAsJsonAsync("api/v1/alerts/webhooks", new WebhookRequest { Url = webhook.Url.AbsoluteUri, Secret = Secret }, ProtocolJsonContext.Default.WebhookRequest))
            {
                response.EnsureSuccessStatusCode();
            }

            await otter.PublishAsync(Path.Combine(root, "release"), Release, "1.0.0", 1);
            var releases = (await otter.Api.GetFromJsonAsync("api/v1/releases", ProtocolJsonContext.Default.ListReleaseInfo))!;
            var expected = releases.Single(r => r.Name == Release).ExpectedMeasurement;
            var tampered = new string('e', expected.Length);
            var samples = new List<IncidentResponseSample>();
            for (var d = 0; d < options.Devices; d++)
            {
                using var device = await QuotingDevice.EnrollAsync($"bench-ir-{d:D4}", server, otter.DeviceUrl, BenchDevice.Hardware);
                double normal = 0;
                for (var n = 0; n <= options.Normal; n++)
                {
                    // The first quotes the nonce of enrollment's check-in; it is not timed (its verdict changes: an event is written).
                    var elapsed = await device.CheckInAsync(Release, expected, HttpStatusCode.OK);
                    normal += n == 0 ? 0 : elapsed;
                }

                var sent = Stopwatch.GetTimestamp();
                await device.CheckInAsync(Release, tampered, HttpStatusCode.OK);
                var answered = Stopwatch.GetTimestamp();
                await device.CheckInAsync(Release, tampered, HttpStatusCode.Forbidden);
                var deadline = Stopwatch.StartNew();
                (long At, string Kind) alert;
                while (!webhook.Arrivals.TryGetValue(device.Id, out alert))
                {
                    if (deadline.Elapsed > TimeSpan.FromSeconds(interval + 60))
                    {
                        throw new InvalidOperationException($"no alert for {device.Id} reached the webhook within {interval + 60} s");
                    }

                    await Task.Delay(1);
                }

                samples.Add(new IncidentResponseSample(
                    device.Id,
                    normal / options.Normal,
                    Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds,
                    Stopwatch.GetElapsedTime(sent, alert.At).TotalMilliseconds));
                Log($"{device.Id}: quarantined {samples[^1].QuarantinedMs:F1} ms, alert ({alert.Kind}) at {samples[^1].AlertMs:F1} ms; normal check-in {samples[^1].NormalCheckInMs:F1} ms");
            }

            if (webhook.BadSignatures > 0)
            {
                throw new InvalidOperationException($"{webhook.BadSignatures} alerts reached the webhook with a bad signature");
            }

            var report = IncidentResponseReport.Write(options, samples, interval, started, loadBefore, clock.Elapsed);
            Log(report.Target);
            if (options.ResultsDirectory is { } results)
            {
                Directory.CreateDirectory(results);
                await File.WriteAllTextAsync(Path.Combine(results, $"{Command}.md"), report.Section);
                await File.WriteAllTextAsync(Path.Combine(results, $"{Command}-targets.md"), report.Target + "\n");
                Log($"wrote {Path.Combine(results, Command + ".md")} and {Command}-targets.md");
            }

            return 0;
        }
        finally
        {
            HarnessLogs.Save(root, options.ResultsDirectory, Command);
            if (!options.Keep && options.WorkDirectory is null)
            {
                Directory.Delete(root, recursive: true);
                Log($"deleted {root}");
            }
        }
    }

    private static void Log(string line) => Console.WriteLine($"{Command}: {line}");
}
