using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Otter.Benchmarks;

/// <summary>
/// <c>server-checkin</c>: device check-in throughput and latency of the Otter server over
/// keep-alive mTLS with <c>--devices</c> rows in its SQLite database, against a bare Kestrel JSON
/// endpoint in the same run (DESIGN §6: at least half of its requests/s).
/// </summary>
/// <remarks>
/// A server data directory is initialised (fast key files) and its per-device rate limit raised
/// in server.json; <c>otter server run</c> starts in a child process; <c>--enrolled</c> devices
/// enroll through <c>/device/v1/enroll</c>; the server stops and the rest of the rows are
/// bulk-inserted into its SQLite file; the server starts again, beside the anchor (this
/// executable's <c>kestrel-anchor</c> mode, another child process), and the same closed-loop load
/// (<see cref="CheckInLoad"/>) runs against each in turn.
/// </remarks>
internal static class CheckInHarness
{
    public const string Command = "server-checkin";
    public const double Target = 0.5;

    // The limit server.json gets: the highest the server accepts, far above what the load asks of
    // one device (about 1,700 a second); the default, 120 a minute, would be exceeded in a second.
    public const int RequestsPerMinute = 100_000;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        CheckInOptions options;
        try
        {
            options = CheckInOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"{Command}: {ex.Message}");
            return 2;
        }

        var started = DateTimeOffset.UtcNow;
        var loadBefore = MachineLine.LoadAverage();
        var root = options.WorkDirectory ?? Directory.CreateTempSubdirectory("otter-bench-checkin-").FullName;
        Directory.CreateDirectory(root);
        Log($"work directory {root}");
        var devices = new List<BenchDevice>();
        try
        {
            var total = Stopwatch.StartNew();
            using var server = await OtterServerInstance.InitAsync(Path.Combine(root, "otter"), RequestsPerMinute);
            Log($"initialised {server.DataDirectory}; server.json device_requests_per_minute = {server.DeviceRequestsPerMinute:N0} (default 120)");

            // Enrollment through the API, as devices do.
            var enrollSeconds = await EnrollAsync(server, options, devices, Path.Combine(root, "otter-enroll.log"));
            Log($"enrolled {devices.Count} devices through /device/v1/enroll in {enrollSeconds:F1} s");

            // The rest, straight into the stopped server's database.
            using var factoryCa = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(server.DataDirectory, "dev-factory", "ca.pem")));
            var bulk = options.Devices - options.Enrolled;
            var insertSeconds = DeviceTableFiller.Fill(server.SqliteDatabase, 0, bulk, factoryCa.Subject);
            var rows = DeviceTableFiller.Count(server.SqliteDatabase);
            if (rows != options.Devices)
            {
                throw new InvalidOperationException($"the devices table has {rows:N0} rows, not {options.Devices:N0}");
            }

            var databaseMiB = new FileInfo(server.SqliteDatabase).Length / 1048576.0;
            Log($"bulk-inserted {bulk:N0} devices in one transaction in {insertSeconds:F1} s ({bulk / insertSeconds:N0} rows/s); {rows:N0} rows, otter.db {databaseMiB:F0} MiB");

            await using var otter = await server.StartAsync(Path.Combine(root, "otter-server.log"));
            var otterUrl = new Uri(otter.Ready.Groups["device"].Value);
            var (certificatePem, keyFile) = server.TlsFiles();
            await using var anchor = await StartAnchorAsync(certificatePem, keyFile, Path.Combine(root, "kestrel-anchor.log"));
            var anchorUrl = new Uri(anchor.Ready.Groups["url"].Value);
            Log($"otter server (pid {otter.Id}) device API on {otterUrl}; kestrel-anchor (pid {anchor.Id}) on {anchorUrl}");
            var tls = await TlsProbe.DescribeAsync(otterUrl, server.CaCertificate, devices[0].Certificate);
            var anchorTls = await TlsProbe.DescribeAsync(anchorUrl, server.CaCertificate, devices[0].Certificate);
            Log($"TLS: otter {tls}; anchor {anchorTls}");

            var body = CheckInLoad.Body();
            var runs = new List<LoadResult>();
            var targets = new (string Name, Uri Url)[] { (CheckInReport.OtterName, otterUrl), (CheckInReport.AnchorName, anchorUrl) };
            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var (name, url) in round % 2 == 1 ? targets : Enumerable.Reverse(targets))
                {
                    GC.Collect();
                    var result = await CheckInLoad.RunAsync(
                        name,
                        round,
                        url,
                        devices,
                        certificate => server.Handler(certificate),
                        options.Concurrency,
                        TimeSpan.FromSeconds(options.WarmUpSeconds),
                        TimeSpan.FromSeconds(options.DurationSeconds),
                        body);
                    runs.Add(result);
                    Log(string.Create(CultureInfo.InvariantCulture, $"round {round}: {name} {result.RequestsPerSecond:N0} requests/s, p50 {result.LatencyMs(0.5):F2} ms, p99 {result.LatencyMs(0.99):F2} ms, {result.Requests:N0} requests, {result.Errors:N0} errors{(result.FirstError is null ? string.Empty : " (first: " + result.FirstError + ")")}"));
                }
            }

            var otterPeak = otter.PeakResidentMiB();
            var anchorPeak = anchor.PeakResidentMiB();
            var report = new CheckInReport(options, runs, body.Length, tls, anchorTls, enrollSeconds, insertSeconds, bulk, databaseMiB, otterPeak, anchorPeak, total.Elapsed.TotalSeconds, MachineLine.Describe(started, loadBefore));
            foreach (var line in report.TargetLines())
            {
                Log(line);
            }

            if (options.ResultsDirectory is { } results)
            {
                Directory.CreateDirectory(results);
                await File.WriteAllTextAsync(Path.Combine(results, "server-checkin.md"), report.Section());
                await File.WriteAllLinesAsync(Path.Combine(results, "server-checkin-targets.md"), report.TargetLines());
                Log($"wrote {Path.Combine(results, "server-checkin.md")} and server-checkin-targets.md");
            }

            return 0;
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }

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

    private static async Task<double> EnrollAsync(OtterServerInstance server, CheckInOptions options, List<BenchDevice> devices, string logPath)
    {
        await using var otter = await server.StartAsync(logPath);
        using var publicOnly = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(server.DataDirectory, "dev-factory", "ca.pem")));
        using var caKey = ECDsa.Create();
        caKey.ImportFromPem(File.ReadAllText(Path.Combine(server.DataDirectory, "dev-factory", "ca.key")));
        using var factoryCa = publicOnly.CopyWithPrivateKey(caKey);
        var handler = server.Handler(null);
        handler.MaxConnectionsPerServer = 8;
        using var client = new HttpClient(handler) { BaseAddress = new Uri(otter.Ready.Groups["device"].Value) };
        var enrolled = new BenchDevice[options.Enrolled];
        var stopwatch = Stopwatch.StartNew();

        // Their ids come after the bulk-inserted ones' indices, so all of them are distinct.
        var first = (long)options.Devices - options.Enrolled;
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Enrolled), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            enrolled[i] = await BenchDevice.EnrollAsync(client, DeviceIds.For(first + i), factoryCa));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        devices.AddRange(enrolled);
        await otter.StopAsync();
        return seconds;
    }

    private static Task<ChildServer> StartAnchorAsync(string certificatePem, string keyFile, string logPath)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown");
        var arguments = new List<string>();
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            arguments.Add(typeof(KestrelAnchor).Assembly.Location);
        }

        arguments.AddRange([KestrelAnchor.Command, certificatePem, keyFile]);
        return ChildServer.StartAsync(
            "kestrel-anchor",
            host,
            arguments,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["OTTER_KEY_PASSPHRASE"] = OtterServerInstance.Passphrase },
            logPath,
            new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(KestrelAnchor.ReadyPrefix) + "(?<url>https://\\S+/)$"));
    }

    private static void Log(string message) => Console.WriteLine($"{Command}: {message}");
}
