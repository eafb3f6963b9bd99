using Microsoft.EntityFrameworkCore;
using Otter.Protocol.Incidents;
using Otter.Protocol.Management;
using Otter.Server.Alerts;
using Otter.Server.Audit;
using Otter.Server.Data;
using Otter.Server.Setup;

namespace Otter.Server.Incidents;

/// <summary>
/// Incidents and their timelines, quarantine, and the detection policy. Every step is
/// time-stamped, attributed (<c>system</c>, <c>device:ID</c> or <c>key:NAME</c>) and appended
/// to the audit log in the same call.
/// </summary>
internal sealed class IncidentService(ServerState state, AuditLog audit, AlertService alerts, TimeProvider time)
{
    public const string System = "system";

    /// <summary>The device's open incident of <paramref name="kind"/> gets a detection step, or a new one is opened.</summary>
    public async Task<IncidentRow> OpenAsync(OtterDbContext db, string deviceId, string kind, string severity, string title, string evidence, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.DeviceId == deviceId && i.Kind == kind && i.Status == IncidentStatuses.Open, cancellationToken);
        if (incident is not null)
        {
            await StepAsync(db, incident, IncidentPhases.Detection, "detected-again", evidence, actor, cancellationToken);
            return incident;
        }

        incident = new IncidentRow
        {
            DeviceId = deviceId,
            Kind = kind,
            Severity = severity,
            Status = IncidentStatuses.Open,
            Title = title,
            OpenedAt = time.GetUtcNow(),
            OpenedBy = actor,
        };
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(cancellationToken);
        await StepAsync(db, incident, IncidentPhases.Detection, "detected", $"{title}; evidence: {evidence}", actor, cancellationToken);
        return incident;
    }

    /// <summary>Adds a step to the timeline and the audit log (saving the caller's pending changes with it).</summary>
    public async Task StepAsync(OtterDbContext db, IncidentRow incident, string phase, string action, string? detail, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(incident);
        db.IncidentSteps.Add(new IncidentStepRow { IncidentId = incident.Id, At = time.GetUtcNow(), Actor = actor, Phase = phase, Action = action, Detail = Truncate(detail) });
        await db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(db, actor, "incident." + action, $"incident:{incident.Id}", Truncate($"device {incident.DeviceId}" + (detail is null ? string.Empty : ": " + detail)), cancellationToken);
    }

    /// <summary>The device's most recent open incident, if any.</summary>
    public static Task<IncidentRow?> LatestOpenAsync(OtterDbContext db, string deviceId, CancellationToken cancellationToken) =>
        db.Incidents.Where(i => i.DeviceId == deviceId && i.Status == IncidentStatuses.Open).OrderByDescending(i => i.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The device's latest open incident, or a new manual one for an operator's act.</summary>
    public async Task<IncidentRow> ForOperatorAsync(OtterDbContext db, string deviceId, string title, string actor, CancellationToken cancellationToken) =>
        await LatestOpenAsync(db, deviceId, cancellationToken)
            ?? await OpenAsync(db, deviceId, IncidentKinds.Manual, AlertKinds.High, title, "opened by an operator", actor, cancellationToken);

    /// <summary>
    /// Quarantines a tracked (or attached) device: its credentials then answer only the remediation
    /// endpoints, rollouts skip it, and its assignment is withdrawn (a suspect device gets no updates).
    /// </summary>
    public async Task QuarantineAsync(OtterDbContext db, DeviceRow device, IncidentRow incident, string reason, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var now = time.GetUtcNow();
        await Rollouts.RolloutProgress.ReleaseAsync(db, device, "device quarantined", now, cancellationToken);
        var previous = device.Status;
        device.Status = DeviceStatuses.Quarantined;
        device.AssignedRelease = null;
        device.AssignmentState = null;
        db.DeviceEvents.Add(new DeviceEventRow { DeviceId = device.Id, At = now, Kind = "quarantined", Detail = Truncate($"incident {incident.Id}: {reason}") });
        await db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(db, actor, "device.quarantine", device.Id, Truncate($"incident {incident.Id}: {reason}"), cancellationToken);
        await StepAsync(db, incident, IncidentPhases.Containment, "quarantined", $"device {device.Id} quarantined (was {previous}): {reason}", actor, cancellationToken);
    }

    /// <summary>
    /// Applies the detection policy for <paramref name="kind"/> to a tracked (or attached) device:
    /// nothing, an alert, an incident with an alert, or an incident with quarantine and an alert.
    /// Returns the incident, if one was opened or updated.
    /// </summary>
    public async Task<IncidentRow?> DetectAsync(OtterDbContext db, DeviceRow device, string kind, string title, IReadOnlyDictionary<string, string> evidence, string dedupKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(evidence);
        var policy = state.Settings.Incidents;
        var action = policy.Policy.GetValueOrDefault(kind, IncidentSettings.Incident);
        var severity = policy.Severity.GetValueOrDefault(kind, AlertKinds.High);
        if (action == IncidentSettings.Ignore)
        {
            return null;
        }

        var words = string.Join("; ", evidence.Select(e => $"{e.Key}={e.Value}"));
        IncidentRow? incident = null;
        var details = new Dictionary<string, string>(evidence, StringComparer.Ordinal) { ["device"] = device.Id, ["detector"] = kind, ["action"] = action };
        if (action is IncidentSettings.Incident or IncidentSettings.Quarantine)
        {
            incident = await OpenAsync(db, device.Id, kind, severity, title, words, System, cancellationToken);
            details["incident"] = incident.Id.ToString(global::System.Globalization.CultureInfo.InvariantCulture);
            if (action == IncidentSettings.Quarantine && device.Status == DeviceStatuses.Approved)
            {
                await QuarantineAsync(db, device, incident, $"automatic, by policy on {kind}", System, cancellationToken);
            }

            details["status"] = device.Status;
        }

        var alertKind = kind == IncidentKinds.AttestationMismatch ? AlertKinds.AttestationMismatch : "incident." + kind;
        var summary = incident is null
            ? $"device {device.Id}: {title}"
            : $"incident {incident.Id} on device {device.Id}: {title}" + (device.Status == DeviceStatuses.Quarantined ? " (device quarantined)" : string.Empty);
        await alerts.RaiseAsync(db, alertKind, severity, device.Id, summary, details, dedupKey + (incident is null ? string.Empty : ":incident-" + incident.Id), cancellationToken);
        return incident;
    }

    private static string? Truncate(string? text) => text is { Length: > 2000 } ? text[..2000] : text;
}
