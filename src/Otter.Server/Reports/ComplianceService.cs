using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol.Management;
using Otter.Protocol.Reports;
using Otter.Server.Data;
using Otter.Server.Devices;
using Otter.Server.Setup;

namespace Otter.Server.Reports;

/// <summary>The fleet compliance report: devices per release, below the newest security counter, days since patch and since seen.</summary>
internal sealed class ComplianceService(DeviceWriteBehind writeBehind, TimeProvider time)
{
    public async Task<ComplianceReport> BuildAsync(OtterDbContext db, int staleDays, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var releases = await db.Releases.AsNoTracking().ToListAsync(cancellationToken);
        var newest = releases.GroupBy(r => r.Hardware).ToDictionary(g => g.Key, g => g.Max(r => r.SecurityCounter), StringComparer.Ordinal);
        var versions = releases.ToDictionary(r => r.Name, r => r.Version, StringComparer.Ordinal);
        var rows = new List<ComplianceRow>();
        var devices = db.Devices.AsNoTracking().Where(d => d.Status != DeviceStatuses.Decommissioned).OrderBy(d => d.Id).AsAsyncEnumerable();
        await foreach (var device in devices.WithCancellation(cancellationToken))
        {
            writeBehind.Overlay(device);
            var slots = JsonSerializer.Deserialize(device.SlotsJson, ServerJsonContext.Default.DictionaryStringSlotReport) ?? [];
            var running = device.BootedSlot is { } booted && slots.TryGetValue(booted, out var slot) ? slot : null;
            var release = running?.Target;
            var newestCounter = newest.GetValueOrDefault(device.Hardware);
            var notSeen = device.LastSeen is null || now - device.LastSeen.Value >= TimeSpan.FromDays(staleDays);
            rows.Add(new ComplianceRow
            {
                Id = device.Id,
                Hardware = device.Hardware,
                Status = device.Status,
                Release = release,
                Version = release is not null && versions.TryGetValue(release, out var version) ? version : running?.Version,
                SecurityCounter = device.SecurityCounter,
                NewestSecurityCounter = newestCounter,
                BelowNewest = device.SecurityCounter < newestCounter,
                LastPatched = device.LastPatchedAt,
                DaysSinceLastPatch = device.LastPatchedAt is { } patched ? Math.Round((now - patched).TotalDays, 2) : null,
                LastSeen = device.LastSeen,
                DaysSinceSeen = device.LastSeen is { } seen ? Math.Round((now - seen).TotalDays, 2) : null,
                NotSeen = notSeen,
            });
        }

        return new ComplianceReport
        {
            GeneratedAt = now,
            StaleDays = staleDays,
            Devices = rows.Count,
            Releases = rows.GroupBy(r => r.Release ?? "none", StringComparer.Ordinal)
                .Select(g => new ReleaseCount { Release = g.Key, Version = g.First().Version, Devices = g.Count() })
                .OrderByDescending(c => c.Devices).ThenBy(c => c.Release, StringComparer.Ordinal)
                .ToList(),
            NewestSecurityCounter = newest,
            BelowNewestCounter = rows.Count(r => r.BelowNewest),
            NotSeen = rows.Count(r => r.NotSeen),
            Rows = rows,
        };
    }
}
