using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol;
using Otter.Protocol.Alerts;
using Otter.Server.Data;

namespace Otter.Server.Alerts;

/// <summary>Raises alerts: one row, one pending delivery per webhook, sent by <see cref="AlertDispatcher"/>.</summary>
internal sealed class AlertService(TimeProvider time, AlertSignal signal)
{
    /// <summary>Adds the alert to <paramref name="db"/> (saved with the caller's changes); nothing when <paramref name="dedupKey"/> was raised before.</summary>
    public async Task<AlertRow?> RaiseAsync(OtterDbContext db, string kind, string severity, string subject, string summary, IReadOnlyDictionary<string, string> details, string dedupKey, CancellationToken cancellationToken)
    {
        if (await db.Alerts.AnyAsync(a => a.DedupKey == dedupKey, cancellationToken) || db.Alerts.Local.Any(a => a.DedupKey == dedupKey))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var alert = new AlertRow
        {
            Kind = kind,
            Severity = severity,
            Subject = subject,
            Summary = summary,
            DedupKey = dedupKey,
            CreatedAt = now,
            PayloadJson = string.Empty,
        };
        db.Alerts.Add(alert);

        // The id is part of the payload, so the row is saved first.
        await db.SaveChangesAsync(cancellationToken);
        alert.PayloadJson = JsonSerializer.Serialize(
            new AlertPayload { Id = alert.Id, Kind = kind, Severity = severity, Subject = subject, Summary = summary, At = now, Details = details },
            ProtocolJsonContext.Default.AlertPayload);
        foreach (var sink in await db.AlertSinks.AsNoTracking().Select(s => s.Id).ToListAsync(cancellationToken))
        {
            db.AlertDeliveries.Add(new AlertDeliveryRow { AlertId = alert.Id, SinkId = sink, Status = "pending", NextAttemptAt = now });
        }

        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
        return alert;
    }
}
