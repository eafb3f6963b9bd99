using Microsoft.EntityFrameworkCore;
using Otter.Protocol.Incidents;
using Otter.Server.Data;

namespace Otter.Server.Incidents;

/// <summary>Incident rows as the API shows them.</summary>
internal static class IncidentViews
{
    public static IncidentView ToView(IncidentRow row, IEnumerable<IncidentStepRow> steps, IEnumerable<ForensicBundleRow> evidence) => new()
    {
        Id = row.Id,
        DeviceId = row.DeviceId,
        Kind = row.Kind,
        Severity = row.Severity,
        Status = row.Status,
        Title = row.Title,
        OpenedAt = row.OpenedAt,
        OpenedBy = row.OpenedBy,
        ClosedAt = row.ClosedAt,
        ClosedBy = row.ClosedBy,
        RootCause = row.RootCause,
        Prevention = row.Prevention,
        Timeline = [.. steps.OrderBy(s => s.Id).Select(s => new IncidentStepView { At = s.At, Actor = s.Actor, Phase = s.Phase, Action = s.Action, Detail = s.Detail })],
        Evidence = [.. evidence.OrderBy(e => e.Id).Select(ToEvidence)],
    };

    public static EvidenceView ToEvidence(ForensicBundleRow row) => new()
    {
        Id = row.Id,
        DeviceId = row.DeviceId,
        IncidentId = row.IncidentId,
        RequestedBy = row.RequestedBy,
        RequestedAt = row.RequestedAt,
        ReceivedAt = row.ReceivedAt,
        Sha256 = row.Sha256,
        Length = row.Length,
        Signature = row.Signature is null ? null : Convert.ToBase64String(row.Signature),
        DevicePublicKey = row.DevicePublicKeyPem,
    };

    /// <summary>One incident with its timeline and custody records (bundle contents are not loaded).</summary>
    public static async Task<IncidentView?> LoadAsync(OtterDbContext db, long id, CancellationToken cancellationToken)
    {
        var row = await db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var steps = await db.IncidentSteps.AsNoTracking().Where(s => s.IncidentId == id).ToListAsync(cancellationToken);
        var evidence = await WithoutContent(db.ForensicBundles.AsNoTracking().Where(b => b.IncidentId == id)).ToListAsync(cancellationToken);
        return ToView(row, steps, evidence);
    }

    /// <summary>Custody fields only: bundles can be megabytes.</summary>
    public static IQueryable<ForensicBundleRow> WithoutContent(IQueryable<ForensicBundleRow> query) =>
        query.Select(b => new ForensicBundleRow
        {
            Id = b.Id,
            DeviceId = b.DeviceId,
            IncidentId = b.IncidentId,
            RequestedBy = b.RequestedBy,
            RequestedAt = b.RequestedAt,
            ReceivedAt = b.ReceivedAt,
            Sha256 = b.Sha256,
            Length = b.Length,
            Signature = b.Signature,
            DevicePublicKeyPem = b.DevicePublicKeyPem,
        });
}
