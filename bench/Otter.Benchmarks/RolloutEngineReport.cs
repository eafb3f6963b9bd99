using System.Globalization;
using System.Text;

using Otter.Server.Rollouts;

namespace Otter.Benchmarks;

/// <summary>The rollout engine harness's markdown: a section for docs/benchmarks.md and its target line.</summary>
internal sealed class RolloutEngineReport(
    RolloutEngineOptions options,
    EngineTickResult engine,
    FleetRolloutResult fleet,
    string engineMachine,
    string fleetMachine,
    double totalSeconds)
{
    public const string TickName = "Otter_RolloutEngine_Tick_1pct";
    public const string FleetName = "Otter_Rollout_EndToEnd";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private IEnumerable<TickRound> Of(double percent) => engine.Rounds.Where(r => r.Percent == percent);

    private double Mean(double percent) => Of(percent).Average(r => r.Milliseconds);

    private double P95(double percent) => Percentile(Of(percent).Select(r => r.Milliseconds), 0.95);

    private double PerThousand(double percent) => Of(percent).Sum(r => r.Milliseconds) * 1000.0 / Of(percent).Sum(r => r.Changed);

    private bool Met => Mean(1) < RolloutEngineHarness.Target.TotalMilliseconds;

    private int OnePercent => Of(1).First().Changed;

    public IReadOnlyList<string> TargetLines()
    {
        var p95 = P95(1);
        var p95Note = Met && p95 >= RolloutEngineHarness.Target.TotalMilliseconds
            ? string.Create(Invariant, $" **Note:** the slowest rounds ({p95:F0} ms at p95) were over the limit.")
            : string.Empty;
        return
        [
            string.Create(
                Invariant,
                $"- **{(Met ? "MET" : "NOT MET")}**: `{TickName}` takes {Mean(1):F0} ms on average (p95 {p95:F0} ms, {Of(1).Count()} rounds) to fold {OnePercent:N0} changed devices of {engine.Devices:N0} in one rollout; target < {RolloutEngineHarness.Target.TotalSeconds:0} s. With nothing changed a tick takes {Mean(0):F1} ms; per 1,000 changed devices {PerThousand(0.1):F1} ms at 0.1%, {PerThousand(1):F1} ms at 1%, {PerThousand(10):F1} ms at 10% ({Growth()}).{p95Note}"),
        ];
    }

    public string Section()
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        Line(string.Create(Invariant, $"### Rollout engine: tick cost with {engine.Devices:N0} devices in a rollout"));
        Line();
        Line(engineMachine);
        Line();
        Line("| Devices changed since the last tick | Rounds | Ticks a round | Mean | p95 | Max | Per 1,000 changed | Target | Met? |");
        Line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var percent in EngineTickBench.SmallSizes.Append(EngineTickBench.LargeSize))
        {
            var rounds = Of(percent).ToList();
            var changed = rounds[0].Changed;
            var target = percent == 1 ? string.Create(Invariant, $"< {RolloutEngineHarness.Target.TotalSeconds:0} s") : string.Empty;
            var met = percent == 1 ? (Met ? "**MET**" : "**NOT MET**") : string.Empty;
            var ticks = rounds.Min(r => r.Ticks) == rounds.Max(r => r.Ticks) ? rounds[0].Ticks.ToString(Invariant) : string.Create(Invariant, $"{rounds.Min(r => r.Ticks)}-{rounds.Max(r => r.Ticks)}");
            Line(string.Create(
                Invariant,
                $"| {(changed == 0 ? "none" : string.Create(Invariant, $"{changed:N0} ({percent}%)"))} | {rounds.Count} | {ticks} | {Mean(percent):F1} ms | {P95(percent):F1} ms | {rounds.Max(r => r.Milliseconds):F1} ms | {(changed == 0 ? "(fixed part)" : string.Create(Invariant, $"{PerThousand(percent):F1} ms"))} | {target} | {met} |"));
        }

        Line();
        var assignPerTick = engine.AssignTickSeconds * 1000 / engine.AssignTicks;
        var ticksForAll = (int)Math.Ceiling(engine.Devices / (double)(engine.AssignedByTicks / engine.AssignTicks));
        var assigned = engine.AssignedBySql == 0
            ? string.Create(Invariant, $"the engine assigned all of them itself, {engine.AssignedByTicks / engine.AssignTicks:N0} a tick (its limit without a rate), in {engine.AssignTicks} ticks taking {engine.AssignTickSeconds:F1} s ({assignPerTick:F0} ms a tick, the slowest {engine.AssignTickMaxMs:F0} ms)")
            : string.Create(Invariant, $"the engine assigned the first {engine.AssignedByTicks:N0} itself, {engine.AssignedByTicks / engine.AssignTicks:N0} a tick (its limit without a rate), in {engine.AssignTicks} ticks taking {engine.AssignTickSeconds:F1} s ({assignPerTick:F0} ms a tick, the slowest {engine.AssignTickMaxMs:F0} ms); at that pace all {engine.Devices:N0} take {ticksForAll} ticks, about {ticksForAll * assignPerTick / 1000:F0} s of ticking and at least {ticksForAll * 5 / 60.0:F0} minutes at the default 5 s tick interval. To reach the steady state sooner the other {engine.AssignedBySql:N0} rows were marked assigned in SQL as those ticks mark them (rollout row assigned and counted, the device given the release; {engine.AssignSqlSeconds:F1} s)");
        Line(string.Create(
            Invariant,
            $"The set-up: {engine.Devices:N0} approved `{BenchDevice.Hardware}` device rows bulk-inserted into a new server's SQLite file (`otter.db` {engine.DatabaseMiB:F0} MiB, {engine.InsertSeconds:F1} s; rows as in the check-in benchmark), the server started in the bench process (`OtterServerHost`, background loops off, SQLite with the server's defaults), a release published through `POST /api/v1/releases` ({engine.PublishSeconds:F1} s), and one rollout over every device (`waves 100`, no rate limit, default thresholds) created through `POST /api/v1/rollouts` in **{engine.CreateSeconds:F1} s** (the bench process's resident memory, nearly all of it the server's, went from {engine.ResidentBeforeCreateMiB:F0} MiB to a peak of **{engine.PeakAfterCreateMiB:F0} MiB**{(engine.PeakIsCreate ? string.Empty : " (the peak since the process started: it could not be reset before the create)")}) and started; {assigned}."));
        Line();
        Line(string.Create(
            Invariant,
            $"Each measured round: with the engine idle, a share of the in-flight (assigned) rows, chosen at random and each only once, is marked changed in SQL in one transaction, as `POST /device/v1/reports` with phase committed marks it (the `rollout_devices` row committed and dirty, the device freed of its rollout), untimed; a full GC; then `RolloutEngine.TickAsync` alone is timed, repeated until the ticks have folded every changed row (a tick folds at most {RolloutEngine.FoldBatch:N0}{(Of(EngineTickBench.LargeSize).Any(r => r.Ticks > 1) ? ", so a 10% round takes more than one tick and its time is theirs together" : string.Empty)}). Rounds rotate through the sizes (none, 0.1%, 1%, and 10% in the first {(options.LargeRounds == 1 ? "round" : string.Create(Invariant, $"{options.LargeRounds} rounds"))}) after an untimed warm-up of each small size. At the end the wave's counters are checked against the rows changed. The fixed part is the tick with nothing changed; the cost per change falls as changes grow because more of them share B-tree pages that one commit writes."));
        Line();
        Line(string.Create(Invariant, $"### Simulated rollout: {fleet.Devices:N0} devices over the device API, waves {string.Join(",", fleet.Waves)}"));
        Line();
        Line(fleetMachine);
        Line();
        Line("| Measure | Value |");
        Line("| --- | ---: |");
        Line(string.Create(Invariant, $"| Start to completed (every device committed) | **{fleet.WallSeconds:F1} s** |"));
        Line(string.Create(Invariant, $"| Waves done (devices) at | {string.Join(", ", fleet.WaveDoneSeconds.Zip(fleet.WaveSizes, (s, n) => string.Create(Invariant, $"{s:F1} s ({n:N0})")))} |"));
        Line(string.Create(Invariant, $"| Engine ticks | {fleet.Ticks} ({options.TickSeconds} s apart; {fleet.TickMeanMs:F1} ms mean, {fleet.TickMaxMs:F0} ms max) |"));
        Line(string.Create(Invariant, $"| Check-ins | {fleet.CheckIns:N0}, **{fleet.CheckInsPerSecond:N0}/s** |"));
        Line(string.Create(Invariant, $"| Reports (downloading, installed, committed) | {fleet.Reports:N0}, {fleet.ReportsPerSecond:N0}/s |"));
        Line(string.Create(Invariant, $"| Device API requests | {(fleet.CheckIns + fleet.Reports) / fleet.LoadSeconds:N0}/s |"));
        Line(string.Create(Invariant, $"| Check-in latency p50 / p99 | {LoadResult.Percentile(fleet.CheckInLatencies, 0.5):F2} ms / {LoadResult.Percentile(fleet.CheckInLatencies, 0.99):F2} ms |"));
        Line(string.Create(Invariant, $"| A device checked in every | {fleet.SecondsBetweenCheckIns:F1} s on average |"));
        Line(string.Create(Invariant, $"| Failed requests | {fleet.Errors:N0}{(fleet.FirstError is null ? string.Empty : " (first: " + fleet.FirstError.Replace("|", "\\|", StringComparison.Ordinal) + ")")} |"));
        Line(string.Create(Invariant, $"| Bench process peak RSS (server and devices{(fleet.PeakIsFleet ? string.Empty : "; since the process started")}) | {fleet.PeakMiB:F0} MiB |"));
        Line();
        Line(string.Create(
            Invariant,
            $"No target; the numbers are reported. A new server (in the bench process, background loops off) with {fleet.Devices:N0} approved device rows inserted into its SQLite file, each with a token secret ({fleet.InsertSeconds:F1} s), and a release published. The devices are simulated in the bench process and speak the real device API over HTTPS ({fleet.Tls}; no client certificate) with signed device tokens (`Authorization: Otter-Device …`, HMAC-SHA256 over method, path, body hash, time and nonce, as otter-agent signs them) instead of client certificates: {options.Concurrency} closed-loop workers with one keep-alive connection each, each checking its share of the devices in turn, so every device polls as fast as the load allows rather than once a minute. A device told to update posts reports downloading, installed and committed at once, then checks in running the release. Every device checked in once before the rollout ({fleet.FirstSweepSeconds:F1} s, {fleet.Devices / fleet.FirstSweepSeconds:N0} check-ins/s with nothing to do). The rollout: waves {string.Join(",", fleet.Waves)}, soak 0s, no rate limit, success threshold 100% (so completed means every device committed), created in {fleet.CreateSeconds:F2} s. From the start the bench ticks the engine every {options.TickSeconds} s (the shortest `rollout_tick_seconds`; the server's loop also waits the interval after each tick) until a tick completes the rollout; the wall time is from the start until then. The server's per-device rate limit was raised to {CheckInHarness.RequestsPerMinute:N0} a minute for the compressed polling. Checked at the end: the rollout completed with every wave's devices committed, and every device was offered the release exactly once. The whole harness took {totalSeconds:F0} s."));
        return text.ToString();
    }

    // Proportional or better: no larger change costs clearly more per device than a smaller one.
    private string Growth() =>
        PerThousand(1) <= PerThousand(0.1) * 1.25 && PerThousand(10) <= PerThousand(1) * 1.25
            ? "the cost grows no faster than the changes"
            : "**the cost grows faster than the changes**";

    private static double Percentile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
