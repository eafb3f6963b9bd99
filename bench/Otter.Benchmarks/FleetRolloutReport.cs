using System.Globalization;
using System.Text;

namespace Otter.Benchmarks;

/// <summary>The <c>fleet-rollout</c> section of docs/benchmarks.md, its target line and its chart.</summary>
internal sealed class FleetRolloutReport(FleetRolloutOptions options, FleetSimulationResult result, string machine)
{
    /// <summary>The device count the target is about.</summary>
    public const int TargetDevices = 100_000;

    /// <summary>The server's peak memory must stay under this (DESIGN §6).</summary>
    public const double TargetMiB = 1024;

    /// <summary>The chart's file name beside docs/benchmarks.md (scripts/bench copies it there).</summary>
    public const string ChartFile = "benchmarks-fleet-rollout.svg";

    public IReadOnlyList<string> TargetLines()
    {
        var measured = Invariant($"a phased rollout to {result.Devices:N0} simulated devices completed in {result.RolloutSeconds:F0} s (enrollment {result.EnrollSeconds:F0} s before it) with the server's peak memory {result.ServerPeakMiB:F0} MiB");
        if (result.Devices < TargetDevices)
        {
            return [Invariant($"- **NOT MEASURED** at {TargetDevices:N0} devices: `Otter_FleetRollout` (server peak memory < 1 GiB): this run had {result.Devices:N0} devices: {measured}.")];
        }

        var met = result.ServerPeakMiB > 0 && result.ServerPeakMiB < TargetMiB;
        return [Invariant($"- **{(met ? "MET" : "NOT MET")}**: `Otter_FleetRollout`: {measured}; target < 1 GiB.")];
    }

    public string Section()
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"### Phased rollout to {result.Devices:N0} simulated devices (`fleet-rollout`)"));
        text.AppendLine();
        text.AppendLine(machine);
        text.AppendLine();
        text.AppendLine(Invariant($"`dotnet run -c Release --project bench/Otter.Benchmarks -- fleet-rollout --devices {options.Devices} --concurrency {options.Concurrency} --tick-s {options.TickSeconds}`."));
        text.AppendLine("The real `otter server run` in a child process (SQLite, its rollout engine on its own loop every");
        text.AppendLine(Invariant($"{options.TickSeconds} s) and, in the bench process, `Otter.Simulator`: every device is a real `Otter.Agent` fleet agent on an"));
        text.AppendLine("in-memory device (identical files such as TUF metadata and stages shared between devices) with its own device key");
        text.AppendLine("and a factory identity; it enrolls (CSR, fleet certificate), then every cycle opens a new HTTPS connection with its");
        text.AppendLine("client certificate (mutual TLS), checks in and, when assigned, verifies TUF metadata and the log inclusion proof,");
        text.AppendLine(Invariant($"downloads the {result.BundleBytes / 1024.0:F0} KiB bundle into its inactive slot, boots it (verified chain, health check) and reports"));
        text.AppendLine(Invariant($"committed. {options.Concurrency} device cycles run at a time, sweep after sweep over the fleet. The release goes out in waves"));
        text.AppendLine(Invariant($"{string.Join(", ", result.Waves.Select(w => w + "%"))} with soak 0 s and success threshold 100% (completed = every device committed); afterwards"));
        text.AppendLine("every device is checked to run the release, installed exactly once.");
        text.AppendLine();
        text.AppendLine("| devices | enrollment | rollout | device cycles | failed cycles | installed exactly once | server peak RSS (after enrollment / overall) | simulator peak RSS |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        text.AppendLine(Invariant($"| {result.Devices:N0} | {result.EnrollSeconds:F1} s | {result.RolloutSeconds:F1} s | {result.Cycles:N0} | {result.FailedCycles:N0} | {result.UpdatedOnce:N0} | {result.ServerPeakEnrollMiB:F0} / {result.ServerPeakMiB:F0} MiB | {result.SimulatorPeakMiB:F0} MiB |"));
        text.AppendLine();
        text.AppendLine("| wave | devices | all committed at |");
        text.AppendLine("| --- | ---: | ---: |");
        for (var i = 0; i < result.WaveSizes.Count; i++)
        {
            var done = i < result.WaveDoneSeconds.Count ? Invariant($"{result.WaveDoneSeconds[i]:F1} s") : "-";
            text.AppendLine(Invariant($"| {result.Waves[i]}% | {result.WaveSizes[i]:N0} | {done} |"));
        }

        text.AppendLine();
        text.AppendLine($"![Devices committed and the server's memory during the rollout]({ChartFile})");
        return text.ToString();
    }

    /// <summary>Committed devices (left axis) and the server's resident memory (right axis) over the rollout, with the 1 GiB line.</summary>
    public string Chart()
    {
        const double width = 760, height = 320, left = 70, right = 70, top = 30, bottom = 45;
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottom;
        var samples = result.Samples;
        var maxSeconds = Math.Max(1, samples.Count == 0 ? result.RolloutSeconds : samples[^1].Seconds);
        var maxMiB = Math.Max(TargetMiB * 1.1, samples.Count == 0 ? 0 : samples.Max(s => s.ServerRssMiB) * 1.1);
        double X(double seconds) => left + (seconds / maxSeconds * plotWidth);
        double YDevices(double count) => top + plotHeight - (count / result.Devices * plotHeight);
        double YMiB(double mib) => top + plotHeight - (mib / maxMiB * plotHeight);
        string Points(Func<FleetRolloutSample, double> y) => string.Join(' ', samples.Select(s => Invariant($"{X(s.Seconds):F1},{y(s):F1}")));

        var svg = new StringBuilder();
        svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.AppendLine(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
        svg.AppendLine(Invariant($"<text x=\"{width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">Phased rollout to {result.Devices:N0} simulated devices</text>"));
        svg.AppendLine(Invariant($"<rect x=\"{left}\" y=\"{top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#999\"/>"));
        for (var i = 0; i <= 4; i++)
        {
            var y = top + plotHeight - (plotHeight * i / 4);
            svg.AppendLine(Invariant($"<line x1=\"{left}\" x2=\"{left + plotWidth}\" y1=\"{y:F1}\" y2=\"{y:F1}\" stroke=\"#eee\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\" fill=\"#1f77b4\">{result.Devices * i / 4:N0}</text>"));
            svg.AppendLine(Invariant($"<text x=\"{left + plotWidth + 6}\" y=\"{y + 4:F1}\" fill=\"#d62728\">{maxMiB * i / 4:F0}</text>"));
            var seconds = maxSeconds * i / 4;
            svg.AppendLine(Invariant($"<text x=\"{X(seconds):F1}\" y=\"{top + plotHeight + 16}\" text-anchor=\"middle\">{seconds:F0} s</text>"));
        }

        foreach (var done in result.WaveDoneSeconds)
        {
            svg.AppendLine(Invariant($"<line x1=\"{X(done):F1}\" x2=\"{X(done):F1}\" y1=\"{top}\" y2=\"{top + plotHeight}\" stroke=\"#aaa\" stroke-dasharray=\"2,3\"/>"));
        }

        svg.AppendLine(Invariant($"<line x1=\"{left}\" x2=\"{left + plotWidth}\" y1=\"{YMiB(TargetMiB):F1}\" y2=\"{YMiB(TargetMiB):F1}\" stroke=\"#d62728\" stroke-dasharray=\"6,4\"/>"));
        svg.AppendLine(Invariant($"<text x=\"{left + plotWidth - 4}\" y=\"{YMiB(TargetMiB) - 4:F1}\" text-anchor=\"end\" fill=\"#d62728\">1 GiB target</text>"));
        svg.AppendLine($"<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"{Points(s => YDevices(s.Committed))}\"/>");
        svg.AppendLine($"<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" points=\"{Points(s => YMiB(Math.Max(0, s.ServerRssMiB)))}\"/>");
        svg.AppendLine(Invariant($"<text x=\"14\" y=\"{top + (plotHeight / 2)}\" fill=\"#1f77b4\" transform=\"rotate(-90 14 {top + (plotHeight / 2)})\" text-anchor=\"middle\">devices committed</text>"));
        svg.AppendLine(Invariant($"<text x=\"{width - 10}\" y=\"{top + (plotHeight / 2)}\" fill=\"#d62728\" transform=\"rotate(90 {width - 10} {top + (plotHeight / 2)})\" text-anchor=\"middle\">server RSS (MiB)</text>"));
        svg.AppendLine(Invariant($"<text x=\"{width / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">time since the rollout started (dotted: a wave fully committed)</text>"));
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
