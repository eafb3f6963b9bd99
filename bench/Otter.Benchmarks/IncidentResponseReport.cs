using System.Globalization;
using System.Text;

namespace Otter.Benchmarks;

/// <summary>The section and target line of <see cref="IncidentResponseHarness"/> for docs/benchmarks.md.</summary>
internal sealed record IncidentResponseReport(string Section, string Target)
{
    public static IncidentResponseReport Write(IncidentResponseOptions options, IReadOnlyList<IncidentResponseSample> samples, int intervalSeconds, DateTimeOffset started, string loadBefore, TimeSpan took)
    {
        var limitMs = (intervalSeconds + 1) * 1000.0;
        var quarantined = samples.Select(s => s.QuarantinedMs).Order().ToArray();
        var alerts = samples.Select(s => s.AlertMs).Order().ToArray();
        var normal = samples.Select(s => s.NormalCheckInMs).Order().ToArray();
        var worst = Math.Max(quarantined[^1], alerts[^1]);
        var met = worst < limitMs;
        var target = string.Create(
            CultureInfo.InvariantCulture,
            $"- **{(met ? "MET" : "NOT MET")}**: `Otter_Incident_TamperToQuarantineAndAlert` takes at most {worst:F0} ms from a tampered device's check-in to quarantine and a delivered alert (median: quarantined {Median(quarantined):F1} ms, alert {Median(alerts):F1} ms; {samples.Count} devices); target < one check-in interval + 1 s = {limitMs:F0} ms. A normal check-in takes {Median(normal):F1} ms (median) in the same run.");
        var section = new StringBuilder();
        section.AppendLine("### Incident response: a tampered device's check-in to quarantine and alert").AppendLine();
        section.AppendLine(MachineLine.Describe(started, loadBefore)).AppendLine();
        section.AppendLine("| Measure | Median | 90th percentile | Max | Reference: normal check-in (median) | Target | Met? |");
        section.AppendLine("| --- | ---: | ---: | ---: | ---: | --- | --- |");
        section.AppendLine(Row("Check-in to quarantine", quarantined, Median(normal), limitMs));
        section.AppendLine(Row("Check-in to alert at the webhook", alerts, Median(normal), limitMs));
        section.AppendLine();
        section.AppendLine(string.Create(
            CultureInfo.InvariantCulture,
            $"The set-up: a new server (`otter server init` defaults, SQLite, check-in interval {intervalSeconds} s) in the bench process with its background loops on, one webhook on loopback HTTP that checks each alert's signature and notes its arrival, one published release. {samples.Count} devices, one after the other: each enrolls over the device API with a factory identity from the server's development CA and its own P-256 key, then checks in over mTLS {options.Normal + 1} times reporting the release booted with a good quote over the server's last nonce (the first is not timed: its verdict is new, so it writes an event), and then once with a quote of another measurement, as a device whose image was altered would. The clock starts when that check-in is sent. Quarantine: until its answer arrives (the server has opened the incident, quarantined the device and raised the alert before it answers; the device's next check-in got 403 every time, or the run would have failed). Alert: until the high-severity alert reached the webhook (the dispatcher is woken by the raise). The whole harness took {took.TotalSeconds:F0} s."));
        return new IncidentResponseReport(section.ToString().TrimEnd(), target);
    }

    private static string Row(string what, double[] sorted, double normalMs, double limitMs) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"| {what} | {Median(sorted):F1} ms | {Percentile(sorted, 0.9):F1} ms | {sorted[^1]:F1} ms | {normalMs:F1} ms | < {limitMs:F0} ms | {(sorted[^1] < limitMs ? "**MET**" : "**NOT MET**")} |");

    private static double Median(double[] sorted) => Percentile(sorted, 0.5);

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
