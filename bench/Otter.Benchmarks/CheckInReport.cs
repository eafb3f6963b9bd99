using System.Globalization;
using System.Text;

namespace Otter.Benchmarks;

/// <summary>The check-in harness's markdown: a section for docs/benchmarks.md and its target line.</summary>
internal sealed class CheckInReport(
    CheckInOptions options,
    IReadOnlyList<LoadResult> runs,
    int bodyBytes,
    string otterTls,
    string anchorTls,
    double enrollSeconds,
    double insertSeconds,
    int bulkRows,
    double databaseMiB,
    double otterPeakMiB,
    double anchorPeakMiB,
    double totalSeconds,
    string machine)
{
    public const string OtterName = "Otter_Server_CheckIn";
    public const string AnchorName = "Kestrel_Bare_JsonPost";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly CheckInTotals _otter = CheckInTotals.Of(runs, OtterName);

    private readonly CheckInTotals _anchor = CheckInTotals.Of(runs, AnchorName);

    private CheckInTotals Otter => _otter;

    private CheckInTotals Anchor => _anchor;

    private double Ratio => Otter.RequestsPerSecond / Anchor.RequestsPerSecond;

    private List<double> RoundRatios => runs.GroupBy(r => r.Round)
        .Select(g => g.Single(r => r.Target == OtterName).RequestsPerSecond / g.Single(r => r.Target == AnchorName).RequestsPerSecond)
        .ToList();

    public IReadOnlyList<string> TargetLines()
    {
        var otter = Otter;
        var anchor = Anchor;
        var errors = otter.Errors + anchor.Errors > 0
            ? string.Create(Invariant, $" **Errors:** {otter.Errors:N0} failed Otter check-ins and {anchor.Errors:N0} failed anchor requests in the measured windows (see the log).")
            : string.Empty;
        return
        [
            string.Create(
                Invariant,
                $"- **{RatioVerdict.Verdict(Ratio, CheckInHarness.Target)}**: `{OtterName}` throughput is {Ratio:F3} x `{AnchorName}` (target >= {CheckInHarness.Target:F2}; {otter.RequestsPerSecond:N0} vs {anchor.RequestsPerSecond:N0} requests/s over {Rounds(options.Rounds)}{(options.Rounds > 1 ? " in alternating order" : string.Empty)}, p99 {otter.P99:F2} ms vs {anchor.P99:F2} ms; {options.Devices:N0} devices in SQLite, mTLS keep-alive, {options.Concurrency} concurrent).{RatioVerdict.Note(Ratio, RoundRatios, CheckInHarness.Target)}{errors}"),
        ];
    }

    public string Section()
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        var otter = Otter;
        var anchor = Anchor;
        Line(string.Create(Invariant, $"### Device check-in: {options.Devices:N0} devices, mTLS keep-alive"));
        Line();
        Line(machine);
        Line();
        Line(string.Create(Invariant, $"| Measure | `{OtterName}` | `{AnchorName}` (reference) | Otter / reference | Target | Met? |"));
        Line("| --- | ---: | ---: | ---: | --- | --- |");
        Line(string.Create(Invariant, $"| Requests/s | {otter.RequestsPerSecond:N0} | {anchor.RequestsPerSecond:N0} | {Ratio:F3} | >= {CheckInHarness.Target:F2} | **{RatioVerdict.Verdict(Ratio, CheckInHarness.Target)}** |"));
        Line(string.Create(Invariant, $"| p50 latency | {otter.P50:F2} ms | {anchor.P50:F2} ms | {otter.P50 / anchor.P50:F2} x | | |"));
        Line(string.Create(Invariant, $"| p99 latency | {otter.P99:F2} ms | {anchor.P99:F2} ms | {otter.P99 / anchor.P99:F2} x | | |"));
        Line(string.Create(Invariant, $"| Failed requests | {otter.Errors:N0} | {anchor.Errors:N0} | | | |"));
        Line(string.Create(Invariant, $"| Server peak RSS (VmHWM) | {otterPeakMiB:F0} MiB | {anchorPeakMiB:F0} MiB | | | |"));
        Line();
        Line(string.Create(
            Invariant,
            $"The database: {options.Devices:N0} device rows in the server's SQLite file (`otter.db`, {databaseMiB:F0} MiB, WAL). {options.Enrolled:N0} devices enrolled through `POST /device/v1/enroll` with factory certificates from the data directory's dev-factory CA ({enrollSeconds:F1} s); their fleet certificates are the load's client certificates. With the server stopped, the other {bulkRows:N0} rows were inserted straight into the file in one transaction with one prepared statement ({insertSeconds:F1} s, {bulkRows / insertSeconds:N0} rows/s): approved devices enrolled over the past year with a P-256 public key, certificate hash and expiry, token secret, factory issuer and serial, tags and slots as the server serialises them, last seen within the day. Ids are `gw-` and 16 hex digits spread evenly over the key space, enrolled and inserted alike, so every check-in looks its device up in a primary-key index of {options.Devices:N0} entries; then it updates the row (last seen, slots, the next attestation nonce) and commits."));
        Line();
        Line(string.Create(
            Invariant,
            $"The load: {options.Concurrency} closed-loop workers in the bench process, each owning {Share()} of the enrolled devices, with one `HttpClient` and one keep-alive HTTP/1.1 connection per device presenting that device's certificate; each worker sends one `POST /device/v1/checkin` at a time ({bodyBytes} bytes of JSON: two good slots, health, security counter, no attestation quote) to a device of its own chosen at random, so {options.Enrolled:N0} devices check in. Per run: every device's connection is opened and its check-in checked (untimed), {options.WarmUpSeconds} s of warm-up load, then {options.DurationSeconds} s measured; only requests that started and finished inside the window count; latency is from sending the request to the end of the response body. {(options.Rounds == 1 ? "1 round: Otter, then the reference." : string.Create(Invariant, $"{options.Rounds} rounds, each running both servers, in reverse order every other round."))} Both servers are child processes on loopback (`otter server run` from this build, and this project's `kestrel-anchor` mode), with the .NET defaults their projects ship with (workstation GC); the load generator shares the machine's cores with them. TLS as negotiated: Otter {otterTls}; anchor {anchorTls} (the anchor uses the Otter server's certificate and key)."));
        Line();
        Line(string.Create(
            Invariant,
            $"The reference, `{AnchorName}`: a minimal ASP.NET Core app (`WebApplication.CreateSlimBuilder`, Kestrel, one routed endpoint that is a plain request delegate) with a client certificate required and any accepted, that deserialises the same check-in JSON with the same source-generated serializer and answers a `CheckInResponse` (action none, a random nonce). The difference is Otter's own work per check-in: the fleet-CA chain check (once per TLS connection), the device lookup by primary key and the comparison of the certificate's SHA-256 with the row's, the per-device rate limiter, the check-in's state, and its write to the database by a background writer in batched transactions. A check-in that changes nothing but the last-seen time is written at most once per `last_seen_resolution_seconds` (300 s by default) per device; the load's devices check in many times a second, so most of their check-ins are kept in memory only: this figure is for a fleet whose devices report no change. The server's per-device rate limit (`device_requests_per_minute` in `server.json`, default 120) was raised to {CheckInHarness.RequestsPerMinute:N0} for the benchmark, or the load would be answered 429. The whole harness took {totalSeconds:F0} s."));
        Line();
        Line("| Round | Server | Requests | Requests/s | p50 | p99 | Failed |");
        Line("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var run in runs)
        {
            Line(string.Create(Invariant, $"| {run.Round} | `{run.Target}` | {run.Requests:N0} | {run.RequestsPerSecond:N0} | {run.LatencyMs(0.5):F2} ms | {run.LatencyMs(0.99):F2} ms | {run.Errors:N0} |"));
        }

        return text.ToString();
    }

    private string Share()
    {
        var (fewest, most) = (options.Enrolled / options.Concurrency, (options.Enrolled + options.Concurrency - 1) / options.Concurrency);
        return fewest == most ? fewest.ToString(Invariant) : string.Create(Invariant, $"{fewest} or {most}");
    }

    private static string Rounds(int n) => n == 1 ? "1 round" : string.Create(Invariant, $"{n} rounds");
}
