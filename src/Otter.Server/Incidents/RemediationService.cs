using Microsoft.EntityFrameworkCore;
using Otter.Protocol.Device;
using Otter.Protocol.Incidents;
using Otter.Server.Data;
using Otter.Server.Releases;
using Otter.Server.Setup;

namespace Otter.Server.Incidents;

/// <summary>
/// What a device with an outstanding order is told at check-in (collect first, so that evidence is
/// taken from the suspect image; then re-image), and when a forced re-image is finished: both
/// slots run the known-good release, the booted one is good, and this very check-in's quote
/// attests the release's expected measurement.
/// </summary>
internal sealed class RemediationService(ServerState state, IncidentService incidents, RemediationOrders orders, ReleaseCache releases)
{
    public async Task<CheckInResponse?> NextAsync(OtterDbContext db, DeviceRow device, CheckInRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(request);
        var collect = await db.ForensicBundles.AsNoTracking()
            .Where(b => b.DeviceId == device.Id && b.ReceivedAt == null)
            .OrderBy(b => b.Id).Select(b => (long?)b.Id).FirstOrDefaultAsync(cancellationToken);
        if (collect is { } requestId)
        {
            return new CheckInResponse { Action = DeviceActions.Collect, Collect = new CollectAction { RequestId = requestId }, AttestationNonce = string.Empty };
        }

        var order = await db.Remediations.FirstOrDefaultAsync(r => r.DeviceId == device.Id, cancellationToken);
        if (order is null)
        {
            orders.Clear(device.Id);
            return null;
        }

        var release = await releases.FindAsync(order.Release, cancellationToken);
        if (release is null)
        {
            // Releases are never deleted; a missing one means the order cannot be carried out.
            return null;
        }

        var booted = request.BootedSlot is { } slot && request.Slots.TryGetValue(slot, out var running) ? running : null;
        var bothSlots = request.Slots.Count >= 2 && request.Slots.Values.All(s => s.State == "good" && s.Target == release.Name);
        if (bothSlots && booted is { State: "good" } && booted.Target == release.Name && request.Quote is not null
            && device.Attestation == "good" && device.Measurement == release.ExpectedMeasurement)
        {
            db.Remediations.Remove(order);
            await db.SaveChangesAsync(cancellationToken);
            orders.Clear(device.Id);
            if (order.IncidentId is { } id && await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, cancellationToken) is { } incident)
            {
                await incidents.StepAsync(
                    db,
                    incident,
                    IncidentPhases.Remediation,
                    "reimaged",
                    $"both slots run {release.Name} ({release.Version}), verified by the boot chain; attestation good (measurement {release.ExpectedMeasurement[..16]}…)"
                        + (device.Status == Protocol.Management.DeviceStatuses.Quarantined ? $"; the device can be released with `otter device unquarantine {device.Id}`" : string.Empty),
                    $"device:{device.Id}",
                    cancellationToken);
            }

            return null;
        }

        return new CheckInResponse
        {
            Action = DeviceActions.Reimage,
            Update = new UpdateAction { Target = release.Name, Version = release.Version, RepositoryUrl = state.PublicUrl + "/repo", LogUrl = state.PublicUrl + "/log" },
            AttestationNonce = string.Empty,
        };
    }

    /// <summary>Records a report about the re-image release in the incident's timeline.</summary>
    public async Task ReportAsync(OtterDbContext db, DeviceRow device, DeviceReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(report);
        if (!await orders.MayHaveAsync(device.Id, cancellationToken)
            || await db.Remediations.AsNoTracking().FirstOrDefaultAsync(r => r.DeviceId == device.Id, cancellationToken) is not { IncidentId: { } id } order
            || order.Release != report.Target
            || await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, cancellationToken) is not { } incident)
        {
            return;
        }

        await incidents.StepAsync(db, incident, IncidentPhases.Remediation, "reimage-" + report.Phase, $"{report.Target} {report.Version}".TrimEnd() + (report.Detail is null ? string.Empty : ": " + report.Detail), $"device:{device.Id}", cancellationToken);
    }
}
