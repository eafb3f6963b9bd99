using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol;
using Otter.Protocol.Incidents;
using Otter.Protocol.Management;
using Otter.Server.Audit;
using Otter.Server.Auth;
using Otter.Server.Data;
using Otter.Server.Incidents;

namespace Otter.Server.Api;

/// <summary>
/// <c>/api/v1/devices/{id}/quarantine|unquarantine|reimage|collect|wipe</c>: containment and
/// remediation orders. Each is audited and recorded in the device's open incident (a manual one
/// is opened when there is none).
/// </summary>
internal static class DeviceOrdersApi
{
    private const int MaxReason = 2000;

    public static IEndpointRouteBuilder MapDeviceOrdersApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/devices").WithTags("Devices");
        group.MapPost("/{id}/quarantine", QuarantineAsync).RequireRoles(Roles.Operator).WithSummary("Quarantine: the device's credentials then answer only the remediation endpoints.");
        group.MapPost("/{id}/unquarantine", UnquarantineAsync).RequireRoles(Roles.Operator).WithSummary("Release from quarantine (explicit and audited).");
        group.MapPost("/{id}/reimage", ReimageAsync).RequireRoles(Roles.Operator).WithSummary("Forced re-image to a known-good release in both slots, regardless of windows and waves.");
        group.MapPost("/{id}/collect", CollectAsync).RequireRoles(Roles.Operator).WithSummary("Ask the device for a signed forensic bundle.");
        group.MapPost("/{id}/wipe", WipeAsync).RequireRoles(Roles.Operator).WithSummary("Revoke the device's certificate and tokens and tell it to crypto-erase and re-enroll as a new identity.");
        return endpoints;
    }

    private static async Task<IResult> QuarantineAsync(HttpContext context, OtterDbContext db, IncidentService incidents, string id)
    {
        var (reason, problem) = await ReasonAsync(context, required: true);
        if (problem is not null)
        {
            return problem;
        }

        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, context.RequestAborted);
        if (device is null)
        {
            return UnknownDevice(id);
        }

        if (device.Status != DeviceStatuses.Approved)
        {
            return Problems.Conflict($"device {id} is {device.Status}; only an approved device can be quarantined.");
        }

        var actor = context.Caller().Actor;
        var incident = await incidents.ForOperatorAsync(db, id, $"device {id} quarantined by an operator: {reason}", actor, context.RequestAborted);
        await incidents.QuarantineAsync(db, device, incident, reason!, actor, context.RequestAborted);
        return Order(device, incident.Id, null, $"device {id} is quarantined (incident {incident.Id}); it can reach only the remediation endpoints until `otter device unquarantine {id} --reason …`.");
    }

    private static async Task<IResult> UnquarantineAsync(HttpContext context, OtterDbContext db, IncidentService incidents, AuditLog audit, TimeProvider time, string id)
    {
        var (reason, problem) = await ReasonAsync(context, required: true);
        if (problem is not null)
        {
            return problem;
        }

        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, context.RequestAborted);
        if (device is null)
        {
            return UnknownDevice(id);
        }

        if (device.Status != DeviceStatuses.Quarantined)
        {
            return Problems.Conflict($"device {id} is {device.Status}, not quarantined.");
        }

        if (await db.Remediations.AsNoTracking().FirstOrDefaultAsync(r => r.DeviceId == id, context.RequestAborted) is { } order)
        {
            return Problems.Conflict($"device {id} has a forced re-image to {order.Release} outstanding since {order.RequestedAt:u}; release it once the re-image is done and attested.");
        }

        var actor = context.Caller().Actor;
        device.Status = DeviceStatuses.Approved;
        db.DeviceEvents.Add(new DeviceEventRow { DeviceId = id, At = time.GetUtcNow(), Kind = "unquarantined", Detail = reason });
        await db.SaveChangesAsync(context.RequestAborted);
        await audit.AppendAsync(db, actor, "device.unquarantine", id, reason, context.RequestAborted);
        var incident = await IncidentService.LatestOpenAsync(db, id, context.RequestAborted);
        if (incident is not null)
        {
            await incidents.StepAsync(db, incident, IncidentPhases.Remediation, "released", $"released from quarantine (attestation {device.Attestation}): {reason}", actor, context.RequestAborted);
        }

        return Order(device, incident?.Id, null, $"device {id} is released from quarantine; its credentials work again.");
    }

    private static async Task<IResult> ReimageAsync(HttpContext context, OtterDbContext db, IncidentService incidents, RemediationOrders orders, TimeProvider time, string id)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.ReimageRequest);
        if (problem is not null)
        {
            return problem;
        }

        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, context.RequestAborted);
        if (device is null)
        {
            return UnknownDevice(id);
        }

        if (device.Status is not (DeviceStatuses.Approved or DeviceStatuses.Quarantined))
        {
            return Problems.Conflict($"device {id} is {device.Status}; only an approved or quarantined device can be re-imaged.");
        }

        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Name == request!.Release, context.RequestAborted);
        if (release is null)
        {
            return Problems.BadRequest($"no release named {request!.Release}; `otter release list` shows the published ones.");
        }

        if (release.Hardware != device.Hardware)
        {
            return Problems.BadRequest($"release {release.Name} is built for {release.Hardware}; device {id} is {device.Hardware}.");
        }

        var actor = context.Caller().Actor;
        var now = time.GetUtcNow();
        var incident = await incidents.ForOperatorAsync(db, id, $"device {id} re-imaged by an operator", actor, context.RequestAborted);

        // A re-image replaces whatever the device was doing: it leaves its rollout and its assignment.
        await Rollouts.RolloutProgress.ReleaseAsync(db, device, $"forced re-image to {release.Name}", now, context.RequestAborted);
        device.AssignedRelease = null;
        device.AssignmentState = null;
        var order = await db.Remediations.FirstOrDefaultAsync(r => r.DeviceId == id, context.RequestAborted);
        if (order is null)
        {
            db.Remediations.Add(new RemediationRow { DeviceId = id, Release = release.Name, IncidentId = incident.Id, RequestedBy = actor, RequestedAt = now });
        }
        else
        {
            order.Release = release.Name;
            order.IncidentId = incident.Id;
            order.RequestedBy = actor;
            order.RequestedAt = now;
        }

        await incidents.StepAsync(
            db,
            incident,
            IncidentPhases.Remediation,
            "reimage-requested",
            $"forced re-image to {release.Name} ({release.Version}) in both slots" + (request!.Reason is { Length: > 0 } why ? ": " + why : string.Empty),
            actor,
            context.RequestAborted);
        orders.Mark(id);
        return Order(device, incident.Id, null, $"device {id} will install {release.Name} ({release.Version}) in both slots at its next check-in, regardless of maintenance windows and rollout waves.");
    }

    private static async Task<IResult> CollectAsync(HttpContext context, OtterDbContext db, IncidentService incidents, RemediationOrders orders, TimeProvider time, string id)
    {
        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, context.RequestAborted);
        if (device is null)
        {
            return UnknownDevice(id);
        }

        if (device.Status is not (DeviceStatuses.Approved or DeviceStatuses.Quarantined))
        {
            return Problems.Conflict($"device {id} is {device.Status}; only an approved or quarantined device can send evidence.");
        }

        var actor = context.Caller().Actor;
        var incident = await incidents.ForOperatorAsync(db, id, $"forensic collection on device {id}", actor, context.RequestAborted);
        var request = new ForensicBundleRow { DeviceId = id, IncidentId = incident.Id, RequestedBy = actor, RequestedAt = time.GetUtcNow() };
        db.ForensicBundles.Add(request);
        await db.SaveChangesAsync(context.RequestAborted);
        await incidents.StepAsync(db, incident, IncidentPhases.Investigation, "collect-requested", $"forensic bundle {request.Id} requested from device {id}", actor, context.RequestAborted);
        orders.Mark(id);
        return Order(device, incident.Id, request.Id, $"device {id} will upload forensic bundle {request.Id} at its next check-in; `otter incident evidence {incident.Id} --out DIR` exports it.");
    }

    private static async Task<IResult> WipeAsync(HttpContext context, OtterDbContext db, IncidentService incidents, RemediationOrders orders, TimeProvider time, string id)
    {
        var (reason, problem) = await ReasonAsync(context, required: false);
        if (problem is not null)
        {
            return problem;
        }

        var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, context.RequestAborted);
        if (device is null)
        {
            return UnknownDevice(id);
        }

        if (device.Status is DeviceStatuses.Wiped or DeviceStatuses.Decommissioned)
        {
            return Problems.Conflict($"device {id} is already {device.Status}.");
        }

        var actor = context.Caller().Actor;
        var now = time.GetUtcNow();
        var incident = await incidents.ForOperatorAsync(db, id, $"device {id} wiped by an operator", actor, context.RequestAborted);
        await Rollouts.RolloutProgress.ReleaseAsync(db, device, "device wiped", now, context.RequestAborted);
        var previous = device.Status;
        device.Status = DeviceStatuses.Wiped;
        device.CertificateSha256 = null;
        device.TokenSecret = null;
        device.AssignedRelease = null;
        device.AssignmentState = null;
        await db.Remediations.Where(r => r.DeviceId == id).ExecuteDeleteAsync(context.RequestAborted);
        db.DeviceEvents.Add(new DeviceEventRow { DeviceId = id, At = now, Kind = "wiped", Detail = reason ?? "wiped by an operator" });
        await incidents.StepAsync(
            db,
            incident,
            IncidentPhases.Containment,
            "wiped",
            $"device {id} wiped (was {previous}): certificate and tokens revoked; the device is told to crypto-erase and re-enroll with its factory identity" + (reason is null ? string.Empty : ": " + reason),
            actor,
            context.RequestAborted);
        orders.Clear(id);
        return Order(device, incident.Id, null, $"device {id} is wiped: its certificate and tokens are refused; at its next request it is told to crypto-erase and enroll again as a new fleet identity.");
    }

    /// <summary>The <c>reason</c> of a <see cref="QuarantineRequest"/> body (optional when <paramref name="required"/> is false and there is no body).</summary>
    private static async Task<(string? Reason, IResult? Problem)> ReasonAsync(HttpContext context, bool required)
    {
        if (!required && context.Request.ContentLength is null or 0 && context.Request.ContentType is null)
        {
            return (null, null);
        }

        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.QuarantineRequest);
        if (problem is not null)
        {
            return (null, problem);
        }

        return string.IsNullOrWhiteSpace(request!.Reason) || request.Reason.Length > MaxReason
            ? (null, Problems.BadRequest($"reason must be 1 to {MaxReason} characters: say why, for the incident timeline and the audit log."))
            : (request.Reason, null);
    }

    private static IResult Order(DeviceRow device, long? incident, long? evidence, string message) =>
        Results.Json(new DeviceOrderView { DeviceId = device.Id, Status = device.Status, IncidentId = incident, EvidenceId = evidence, Message = message }, ProtocolJsonContext.Default.DeviceOrderView);

    private static IResult UnknownDevice(string id) => Problems.NotFound($"no device {id}; `otter device list` shows enrolled devices.");
}
