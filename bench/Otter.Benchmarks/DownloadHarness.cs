using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Otter.Protocol;
using Otter.Trust.Bundles;
using Otter.Trust.Keys;
using Otter.Trust.Tuf.Repository;

namespace Otter.Benchmarks;

/// <summary>
/// <c>server-download</c>: artifact downloads over TLS with range requests from the Otter server's
/// <c>/repo/targets/</c> against nginx serving the same file in the same run (DESIGN §6: at least
/// 80% of nginx's throughput).
/// </summary>
/// <remarks>
/// A bundle of <c>--size-mib</c> is published through <c>POST /api/v1/releases</c> of an
/// <c>otter server run</c> child process; nginx (<see cref="NginxServer"/>) serves the server's
/// targets directory; <see cref="RangeDownload"/> downloads the stored file from each in turn.
/// </remarks>
internal static class DownloadHarness
{
    public const string Command = "server-download";
    public const double Target = 0.8;

    /// <summary>Exit code when nginx is not installed, so that scripts can tell "skipped" from "failed".</summary>
    public const int NoNginx = 3;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        DownloadOptions options;
        try
        {
            options = DownloadOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"{Command}: {ex.Message}");
            return 2;
        }

        var nginx = NginxServer.Find(options.Nginx);
        if (nginx is null)
        {
            await Console.Error.WriteLineAsync($"{Command}: nginx is not installed{(options.Nginx is null ? string.Empty : " at " + options.Nginx)} (Debian: apt-get install nginx); the reference server is needed, nothing measured.");
            return NoNginx;
        }

        var started = DateTimeOffset.UtcNow;
        var loadBefore = MachineLine.LoadAverage();
        var root = options.WorkDirectory ?? Directory.CreateTempSubdirectory("otter-bench-download-").FullName;
        Directory.CreateDirectory(root);
        Log($"work directory {root}; {NginxServer.Version(nginx)} ({nginx})");
        try
        {
            var total = Stopwatch.StartNew();
            using var server = await OtterServerInstance.InitAsync(Path.Combine(root, "otter"), deviceRequestsPerMinute: null);
            await using var otter = await server.StartAsync(Path.Combine(root, "otter-server.log"));
            var apiUrl = new Uri(otter.Ready.Groups["api"].Value);

            var stopwatch = Stopwatch.StartNew();
            var bundlePath = MakeBundle(Path.Combine(root, "build"), options.SizeMiB);
            var buildSeconds = stopwatch.Elapsed.TotalSeconds;
            stopwatch.Restart();
            var name = string.Create(CultureInfo.InvariantCulture, $"bench-{options.SizeMiB}mib.otb");
            var (sha256, length) = await PublishAsync(server, apiUrl, name, bundlePath);
            var publishSeconds = stopwatch.Elapsed.TotalSeconds;
            File.Delete(bundlePath);
            var repository = Path.Combine(server.DataDirectory, "repo");
            var stored = TufRepository.ListTargets(repository).Single(t => t.Name == name).StoredPath;
            var urlPath = "repo/" + Path.GetRelativePath(repository, stored).Replace('\\', '/');
            Log($"published {name}: {length:N0} bytes, sha256 {sha256}, stored as {stored} (built in {buildSeconds:F1} s, uploaded and published in {publishSeconds:F1} s)");

            var nginxDirectory = Path.Combine(root, "nginx");
            Directory.CreateDirectory(nginxDirectory);
            using var nginxCertificate = NginxServer.MakeCertificate(Path.Combine(nginxDirectory, "server.pem"), Path.Combine(nginxDirectory, "server.key"));
            var (reference, nginxUrl) = await NginxServer.StartAsync(nginx, nginxDirectory, repository, Path.Combine(nginxDirectory, "server.pem"), Path.Combine(nginxDirectory, "server.key"));
            await using (reference)
            {
                var otterTls = await TlsProbe.DescribeAsync(apiUrl, server.CaCertificate, null);
                var nginxTls = await TlsProbe.DescribeAsync(nginxUrl, nginxCertificate, null);
                Log($"otter server (pid {otter.Id}) on {apiUrl}, nginx (pid {reference.Id}) on {nginxUrl}; TLS: otter {otterTls}; nginx {nginxTls}");

                var targets = new (string Name, Uri Url, X509Certificate2 Root)[]
                {
                    (DownloadReport.OtterName, new Uri(apiUrl, urlPath), server.CaCertificate),
                    (DownloadReport.NginxName, new Uri(nginxUrl, urlPath), nginxCertificate),
                };
                var runs = new List<DownloadResult>();
                for (var round = 1; round <= options.Rounds; round++)
                {
                    foreach (var (target, url, trust) in round % 2 == 1 ? targets : Enumerable.Reverse(targets))
                    {
                        GC.Collect();
                        var result = await RangeDownload.RunAsync(
                            target,
                            round,
                            url,
                            length,
                            sha256,
                            () => LoopbackTls.Handler(trust, null),
                            options.Connections,
                            (long)options.RangeMiB << 20,
                            TimeSpan.FromSeconds(options.WarmUpSeconds),
                            TimeSpan.FromSeconds(options.DurationSeconds));
                        runs.Add(result);
                        Log(string.Create(CultureInfo.InvariantCulture, $"round {round}: {target} {result.MiBPerSecond:F0} MiB/s ({result.Passes} passes, {result.Requests:N0} range requests in {result.Seconds:F2} s)"));
                    }
                }

                var report = new DownloadReport(options, runs, name, length, NginxServer.Version(nginx), otterTls, nginxTls, buildSeconds, publishSeconds, otter.PeakResidentMiB(), total.Elapsed.TotalSeconds, MachineLine.Describe(started, loadBefore));
                foreach (var line in report.TargetLines())
                {
                    Log(line);
                }

                if (options.ResultsDirectory is { } results)
                {
                    Directory.CreateDirectory(results);
                    await File.WriteAllTextAsync(Path.Combine(results, "server-download.md"), report.Section());
                    await File.WriteAllLinesAsync(Path.Combine(results, "server-download-targets.md"), report.TargetLines());
                    Log($"wrote {Path.Combine(results, "server-download.md")} and server-download-targets.md");
                }
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

    // A real bundle (random os stage, manifest signed by a boot key), as `otter bundle create` makes.
    private static string MakeBundle(string directory, int sizeMiB)
    {
        Directory.CreateDirectory(directory);
        var os = Path.Combine(directory, "rootfs.img");
        var buffer = new byte[1 << 20];
        using (var file = new FileStream(os, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            for (var i = 0; i < sizeMiB; i++)
            {
                RandomNumberGenerator.Fill(buffer);
                file.Write(buffer);
            }
        }

        var bundle = Path.Combine(directory, "bundle.otb");
        using (var bootKey = new EcdsaSigner(EcdsaP256.Generate(), "bench-boot"))
        using (var output = new FileStream(bundle, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            BundleWriter.Write(output, "1.0.0", 1, BenchDevice.Hardware, [new BundleStageInput("os", os)], bootKey);
        }

        File.Delete(os);
        return bundle;
    }

    private static async Task<(string Sha256, long Length)> PublishAsync(OtterServerInstance server, Uri apiUrl, string name, string bundlePath)
    {
        using var api = server.Api(apiUrl);
        await using var file = File.OpenRead(bundlePath);
        using var content = new StreamContent(file, 1 << 20);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await api.PostAsync($"api/v1/releases?name={Uri.EscapeDataString(name)}", content);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"publishing {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var result = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.PublishResult)
            ?? throw new InvalidOperationException($"publishing {name}: an empty answer");
        return (result.Release.Sha256, result.Release.Length);
    }

    private static void Log(string message) => Console.WriteLine($"{Command}: {message}");
}
