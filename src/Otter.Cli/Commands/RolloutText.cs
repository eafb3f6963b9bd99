using System.Globalization;
using System.Text;
using Otter.Cli.Cli;
using Otter.Protocol.Rollouts;

namespace Otter.Cli.Commands;

/// <summary>How rollouts read for people: the created summary, the status block, one-line summaries and progress bars.</summary>
internal static class RolloutText
{
    private const int BarWidth = 30;
    private const string Green = "\u001b[32m";
    private const string Red = "\u001b[31m";
    private const string Reset = "\u001b[0m";

    /// <summary>Rollouts that will not change any more.</summary>
    public static bool IsFinished(RolloutView rollout) => rollout.Status is "completed" or "halted" or "cancelled";

    /// <summary>Devices counted against the error threshold (failed, rolled back, timed out).</summary>
    public static int Errors(WaveView wave) => wave.Failed + wave.RolledBack + wave.TimedOut;

    /// <summary>E.g. <c>running, wave 2 of 3</c>.</summary>
    public static string Position(RolloutView rollout) =>
        $"{rollout.Status}, wave {Number(rollout.CurrentWave)} of {Number(rollout.Waves.Count)}";

    public static void WriteCreated(TextWriter output, RolloutView rollout)
    {
        output.WriteLine($"created rollout {Number(rollout.Id)}: {rollout.Release} to {Devices(rollout.DeviceCount)} in {Number(rollout.Waves.Count)} wave{(rollout.Waves.Count == 1 ? string.Empty : "s")} (not started)");
        var table = new TextTable("WAVE", "SPEC", "DEVICES");
        foreach (var wave in rollout.Waves)
        {
            table.Add(Number(wave.Index), wave.Spec, Number(wave.Total));
        }

        table.WriteTo(output);
        output.WriteLine($"start it with `otter rollout start {Number(rollout.Id)}`, follow it with `otter rollout status {Number(rollout.Id)} --watch`.");
    }

    public static void WriteStatus(TextWriter output, RolloutView rollout)
    {
        Line(output, "rollout", $"{Number(rollout.Id)}, {rollout.Release}");
        Line(output, "status", Position(rollout));
        if (rollout.HaltReason is { } reason)
        {
            Line(output, "halt reason", reason);
        }

        Line(output, "devices", Number(rollout.DeviceCount));
        Line(output, "filter", rollout.Filter ?? "(every approved device of the release's hardware)");
        Line(output, "mode", rollout.DownloadOnly ? "download-only: devices stage the release and do not activate it" : "install");
        Line(output, "thresholds", $"promote at {Percent(rollout.SuccessPercent)} {(rollout.DownloadOnly ? "staged" : "committed")}, halt above {Percent(rollout.ErrorPercent)} errors");
        Line(output, "soak", rollout.Soak);
        Line(output, "install timeout", rollout.InstallTimeout);
        Line(output, "rate", rollout.Rate ?? "unlimited");
        Line(output, "windows", rollout.Windows.Count == 0 ? "-" : string.Join("; ", rollout.Windows) + (rollout.Force ? " (ignored: --force)" : rollout.DownloadOnly ? " (ignored: download-only)" : string.Empty));
        Line(output, "promotion", rollout.AutoPromote ? "automatic after each soak" : $"manual: `otter rollout resume {Number(rollout.Id)}` after each soak");
        Line(output, "rollback on halt", rollout.RollbackOnHalt ? "yes" : "no");
        Line(output, "priority", Number(rollout.Priority));
        Line(output, "created", $"{Output.Date(rollout.CreatedAt)}{(rollout.CreatedBy is null ? string.Empty : " by " + rollout.CreatedBy)}");
        Line(output, "started", Output.Date(rollout.StartedAt));
        Line(output, "finished", Output.Date(rollout.FinishedAt));
        foreach (var wave in rollout.Waves)
        {
            output.WriteLine();
            output.WriteLine($"wave {Number(wave.Index)} ({wave.Spec}): {wave.Status}, {Devices(wave.Total)}");
            output.WriteLine($"  pending {Number(wave.Pending)}, assigned {Number(wave.Assigned)}, downloading {Number(wave.Downloading)}, installed {Number(wave.Installed)}, committed {Number(wave.Committed)}");
            output.WriteLine($"  failed {Number(wave.Failed)}, rolled back {Number(wave.RolledBack)}, timed out {Number(wave.TimedOut)}, skipped {Number(wave.Skipped)}, reverted {Number(wave.Reverted)}");
            output.WriteLine($"  started {Output.Date(wave.StartedAt)}, soak until {Seconds(wave.SoakUntil)}");
        }
    }

    /// <summary>One line per change for logs and pipes: the time, the rollout's position and every wave's committed/total.</summary>
    public static string Summary(RolloutView rollout, DateTimeOffset now)
    {
        var waves = rollout.Waves.Select(w =>
            $"wave {Number(w.Index)} ({w.Spec}) {Number(w.Committed)}/{Number(w.Total)} {w.Status}{(Errors(w) > 0 ? $", {Number(Errors(w))} failed" : string.Empty)}");
        return $"{Seconds(now)} rollout {Number(rollout.Id)} {Position(rollout)}: {string.Join(" | ", waves)}";
    }

    /// <summary>The live view on a terminal: a heading and one progress bar per wave (committed, then failed, then the rest).</summary>
    public static List<string> Bars(RolloutView rollout, bool color)
    {
        var lines = new List<string> { $"rollout {Number(rollout.Id)}  {rollout.Release}  {Position(rollout)}" };
        var specWidth = rollout.Waves.Count == 0 ? 0 : rollout.Waves.Max(w => w.Spec.Length);
        var countWidth = rollout.Waves.Count == 0 ? 0 : rollout.Waves.Max(w => $"{Number(w.Committed)}/{Number(w.Total)}".Length);
        foreach (var wave in rollout.Waves)
        {
            var errors = Errors(wave);
            var done = Cells(wave.Committed, wave.Total);
            var failed = Math.Min(BarWidth - done, Cells(errors, wave.Total));
            var bar = new StringBuilder("[");
            bar.Append(Paint(new string('█', done), Green, color));
            bar.Append(Paint(new string('▒', failed), Red, color));
            bar.Append('░', BarWidth - done - failed).Append(']');
            var count = $"{Number(wave.Committed)}/{Number(wave.Total)}".PadLeft(countWidth);
            var failure = errors > 0 ? "  " + Paint($"{Number(errors)} failed", Red, color) : string.Empty;
            lines.Add($"  wave {Number(wave.Index)}  {wave.Spec.PadRight(specWidth)}  {bar}  {count}  {wave.Status}{failure}");
        }

        return lines;
    }

    private static int Cells(int part, int total) => total <= 0 ? 0 : (int)Math.Round((double)part * BarWidth / total, MidpointRounding.ToZero);

    private static string Paint(string text, string code, bool color) => color && text.Length > 0 ? code + text + Reset : text;

    private static void Line(TextWriter output, string label, string value) => output.WriteLine($"{label + ":",-18}{value}");

    private static string Devices(int count) => $"{Number(count)} device{(count == 1 ? string.Empty : "s")}";

    private static string Percent(double value) => value.ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Seconds(DateTimeOffset? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
