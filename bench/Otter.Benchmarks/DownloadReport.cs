using System.Globalization;
using System.Text;

namespace Otter.Benchmarks;

/// <summary>The download harness's markdown: a section for docs/benchmarks.md and its target line.</summary>
internal sealed class DownloadReport(
    DownloadOptions options,
    IReadOnlyList<DownloadResult> runs,
    string name,
    long length,
    string nginxVersion,
    string otterTls,
    string nginxTls,
    double buildSeconds,
    double publishSeconds,
    double otterPeakMiB,
    double totalSeconds,
    string machine)
{
    public const string OtterName = "Otter_Server_RepoTargets_Ranges";
    public const string NginxName = "nginx_Ranges";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private double Otter => Throughput(OtterName);

    private double Nginx => Throughput(NginxName);

    private double Ratio => Otter / Nginx;

    private List<double> RoundRatios => runs.GroupBy(r => r.Round)
        .Select(g => g.Single(r => r.Target == OtterName).MiBPerSecond / g.Single(r => r.Target == NginxName).MiBPerSecond)
        .ToList();

    private string What => string.Create(Invariant, $"a {AgentInstallReport.SizeLabel(options.SizeMiB)} bundle in {options.RangeMiB} MiB ranges over {options.Connections} keep-alive TLS connections");

    public IReadOnlyList<string> TargetLines() =>
    [
        string.Create(
            Invariant,
            $"- **{RatioVerdict.Verdict(Ratio, DownloadHarness.Target)}**: `{OtterName}` throughput is {Ratio:F3} x `{NginxName}` (target >= {DownloadHarness.Target:F2}; {Otter:F0} vs {Nginx:F0} MiB/s over {Rounds(options.Rounds)}{(options.Rounds > 1 ? " in alternating order" : string.Empty)}; {What}).{RatioVerdict.Note(Ratio, RoundRatios, DownloadHarness.Target)}"),
    ];

    public string Section()
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        Line(string.Create(Invariant, $"### Artifact downloads: {What}"));
        Line();
        Line(machine);
        Line();
        Line(string.Create(Invariant, $"| Measure | `{OtterName}` | `{NginxName}` (reference) | Otter / reference | Target | Met? |"));
        Line("| --- | ---: | ---: | ---: | --- | --- |");
        Line(string.Create(Invariant, $"| Throughput | {Otter:F0} MiB/s | {Nginx:F0} MiB/s | {Ratio:F3} | >= {DownloadHarness.Target:F2} | **{RatioVerdict.Verdict(Ratio, DownloadHarness.Target)}** |"));
        Line();
        Line(string.Create(
            Invariant,
            $"The file: a bundle of {length:N0} bytes (one os stage of {AgentInstallReport.SizeLabel(options.SizeMiB)} of random bytes, manifest signed by a boot key; built in {buildSeconds:F1} s) published as `{name}` through `POST /api/v1/releases` of `otter server run` ({publishSeconds:F1} s: upload, hashing, TUF metadata, log record), and downloaded from where the server stores it, `/repo/targets/<sha256>.{name}` on the API endpoint (ASP.NET Core static files, range support). nginx ({nginxVersion}, the Debian package) serves the same stored file at the same path from a configuration of its own in the run's directory: `worker_processes auto`, `sendfile on`, `tcp_nopush on`, access log off, HTTP/1.1 over TLS (`ssl_protocols TLSv1.2 TLSv1.3`, no kTLS, so TLS records are encrypted in user space as Kestrel's are) with a self-signed P-256 certificate for 127.0.0.1."));
        Line();
        Line(string.Create(
            Invariant,
            $"The load, in the bench process: {options.Connections} `HttpClient`s with one keep-alive HTTP/1.1 connection each, trusting only that server's certificate; in a pass they take the file's {(length + ((long)options.RangeMiB << 20) - 1) / ((long)options.RangeMiB << 20)} ranges of {options.RangeMiB} MiB in turn (`Range: bytes=FROM-TO`, a 206 with the right Content-Length expected) and read each body into a 256 KiB buffer. Per run: one untimed pass whose bytes are reassembled and checked against the release's SHA-256, {options.WarmUpSeconds} s of untimed passes, then whole passes until {options.DurationSeconds} s have passed; throughput is the bytes of the measured passes over their time. The file is in the page cache throughout (written by the publish, read on every pass). {(options.Rounds == 1 ? "1 round: Otter, then nginx." : string.Create(Invariant, $"{options.Rounds} rounds, each downloading from both servers, in reverse order every other round."))} TLS as negotiated: Otter {otterTls}; nginx {nginxTls}. Otter's peak RSS (VmHWM) at the end: {otterPeakMiB:F0} MiB. The whole harness took {totalSeconds:F0} s."));
        Line();
        Line("| Round | Server | Passes | Range requests | Seconds | MiB/s |");
        Line("| ---: | --- | ---: | ---: | ---: | ---: |");
        foreach (var run in runs)
        {
            Line(string.Create(Invariant, $"| {run.Round} | `{run.Target}` | {run.Passes} | {run.Requests:N0} | {run.Seconds:F2} | {run.MiBPerSecond:F0} |"));
        }

        return text.ToString();
    }

    private static string Rounds(int n) => n == 1 ? "1 round" : string.Create(Invariant, $"{n} rounds");

    private double Throughput(string target)
    {
        var mine = runs.Where(r => r.Target == target).ToList();
        return mine.Sum(r => r.Bytes) / 1048576.0 / mine.Sum(r => r.Seconds);
    }
}
