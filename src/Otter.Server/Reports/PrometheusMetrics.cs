using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol.Reports;
using Otter.Server.Data;

namespace Otter.Server.Reports;

/// <summary>The fleet's numbers in the Prometheus text format (served at <c>/metrics</c>).</summary>
internal static class PrometheusMetrics
{
    public static async Task<string> WriteAsync(OtterDbContext db, ComplianceReport compliance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compliance);
        var text = new StringBuilder();
        var byStatus = await db.Devices.AsNoTracking().GroupBy(d => d.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        Family(text, "otter_devices", "gauge", "Devices by status.");
        foreach (var status in byStatus.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            Sample(text, "otter_devices", status.Count, ("status", status.Key));
        }

        Family(text, "otter_devices_by_release", "gauge", "Devices by the release they run (none: no published release).");
        foreach (var release in compliance.Releases)
        {
            Sample(text, "otter_devices_by_release", release.Devices, ("release", release.Release), ("version", release.Version ?? string.Empty));
        }

        Family(text, "otter_devices_below_newest_security_counter", "gauge", "Devices whose security counter is below the newest published for their hardware.");
        Sample(text, "otter_devices_below_newest_security_counter", compliance.BelowNewestCounter);
        Family(text, "otter_devices_not_seen", "gauge", "Devices not seen for the given number of days.");
        Sample(text, "otter_devices_not_seen", compliance.NotSeen, ("days", compliance.StaleDays.ToString(CultureInfo.InvariantCulture)));
        Family(text, "otter_devices_days_since_patch_max", "gauge", "The longest time since any device's last patch, in days.");
        Sample(text, "otter_devices_days_since_patch_max", compliance.Rows.Select(r => r.DaysSinceLastPatch ?? 0).DefaultIfEmpty(0).Max());

        var rollouts = await db.Rollouts.AsNoTracking().Where(r => r.Status == "running" || r.Status == "paused" || r.Status == "halted").Select(r => new { r.Id, r.Status, r.Release }).ToListAsync(cancellationToken);
        Family(text, "otter_rollouts", "gauge", "Rollouts by status.");
        foreach (var status in await db.Rollouts.AsNoTracking().GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken))
        {
            Sample(text, "otter_rollouts", status.Count, ("status", status.Key));
        }

        Family(text, "otter_rollout_devices", "gauge", "Devices of active rollouts by wave and state.");
        var ids = rollouts.Select(r => r.Id).ToList();
        foreach (var wave in await db.RolloutWaves.AsNoTracking().Where(w => ids.Contains(w.RolloutId)).OrderBy(w => w.RolloutId).ThenBy(w => w.Index).ToListAsync(cancellationToken))
        {
            var rollout = rollouts.First(r => r.Id == wave.RolloutId);
            foreach (var (state, count) in new[]
            {
                ("pending", wave.Pending), ("assigned", wave.Assigned), ("downloading", wave.Downloading), ("installed", wave.Installed),
                ("committed", wave.Committed), ("failed", wave.Failed), ("rolled-back", wave.RolledBack), ("timed-out", wave.TimedOut),
                ("skipped", wave.Skipped), ("reverted", wave.Reverted),
            })
            {
                Sample(text, "otter_rollout_devices", count, ("rollout", wave.RolloutId.ToString(CultureInfo.InvariantCulture)), ("release", rollout.Release), ("wave", (wave.Index + 1).ToString(CultureInfo.InvariantCulture)), ("state", state));
            }
        }

        Family(text, "otter_alert_deliveries", "gauge", "Alert deliveries by status.");
        foreach (var status in await db.AlertDeliveries.AsNoTracking().GroupBy(d => d.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken))
        {
            Sample(text, "otter_alert_deliveries", status.Count, ("status", status.Key));
        }

        return text.ToString();
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, double value, params (string Name, string Value)[] labels)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').AppendJoin(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")).Append('}');
        }

        text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
