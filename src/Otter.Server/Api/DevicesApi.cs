using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Audit;
using Otter.Server.Auth;
using Otter.Server.Data;
using Otter.Server.Devices;
using Otter.Server.Setup;

namespace Otter.Server.Api;

/// <summary><c>/api/v1/devices</c>: inventory, approval, tags and attributes, assignment, decommissioning.</summary>
internal static class DevicesApi
{
    private const int MaxPage = 1000;

    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/devices").WithTags("Devices");
        var readers = new[] { Roles.Operator, Roles.ReleaseManager, Roles.Auditor };
        group.MapGet("/", ListAsync).RequireRoles(readers).WithSummary("Devices, ordered by id; ?status=, ?tag=, ?after=ID, ?limit=N (at most 1000).");
        group.MapGet("/{id}", GetAsync).RequireRoles(readers);
        group.MapGet("/{id}/events", EventsAsync).RequireRoles(readers);
        group.MapPost("/{id}/approve", ApproveAsync).RequireRoles(Roles.Operator);
        group.MapPost("/{id}/tags", TagAsync).RequireRoles(Roles.Operator);
        group.MapPost("/{id}/assignment", AssignAsync).RequireRoles(Roles.Operator, Roles.ReleaseManager);
        group.MapPost("/{id}/decommission", DecommissionAsync).RequireRoles(Roles.Operator);
        return endpoints;
    }

    private static async Task<IResult> ListAsync(OtterDbContext db, DeviceWriteBehind writeBehind, string? status, string? tag, string? after, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxPage)
        {
            return Problems.BadRequest($"limit must be 1 to {MaxPage}.");
        }

        var query = db.Devices.AsNoTracking();
        if (status is not null)
        {
            query = query.Where(d => d.Status == status);
        }

        if (after is not null)
        {
            query = query.Where(d => string.Compare(d.Id, after) > 0);
        }

        if (tag is not null)
        {
            // Tags are a JSON array of strings; the quoted form cannot match a longer tag.
            var quoted = JsonSerializer.Serialize(tag, ServerJsonContext.Default.String);
            query = query.Where(d => d.TagsJson.Contains(quoted));
        }

        var rows = await query.OrderBy(d => d.Id).Take(limit ?? MaxPage).ToListAsync(cancellationToken);
        rows.ForEach(writeBehind.Overlay);
        var ids = rows.Select(r => r.Id).ToList();
        var open = (await db.Incidents.AsNoTracking().Where(i => i.Status == Protocol.Incidents.IncidentStatuses.Open && ids.Contains(i.DeviceId)).Select(i => new { i.DeviceId, i.Id }).ToListAsync(cancellationToken))
            .ToLookup(i => i.DeviceId, i => i.Id, StringComparer.Ordinal);
        return Results.Json(rows.Select(r => DeviceViews.ToView(r) with { OpenIncidents = [.. open[r.Id].Order()] }).ToList(), ProtocolJsonContext.Default.ListDeviceView);
    }

    private static async Task<IResult> GetAsync(OtterDbContext db, DeviceWriteBehind writeBehind, string id, CancellationToken cancellationToken)
    {
        var row = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (row is not null)
        {
            writeBehind.Overlay(row);
        }

        if (row is null)
        {
            return UnknownDevice(id);
        }

        var open = await db.Incidents.AsNoTracking().Where(i => i.DeviceId == id && i.Status == Protocol.Incidents.IncidentStatuses.Open).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(cancellationToken);
        return Results.Json(DeviceViews.ToView(row) with { OpenIncidents = open }, ProtocolJsonContext.Default.DeviceView);
    }

    private static async Task<IResult> EventsAsync(OtterDbContext db, string id, CancellationToken cancellationToken)
    {
        var rows = await db.DeviceEvents.AsNoTracking().Where(e => e.DeviceId == id).OrderByDescending(e => e.Id).Take(200).ToListAsync(cancellationToken);
        return Results.Json(
            rows.Select(e => new DeviceEventView { At = e.At, DeviceId = e.DeviceId, Kind = e.Kind, Detail = e.Detail }).ToList(),
            ProtocolJsonContext.Default.ListDeviceEventView);
    }

    private static async Task<IResult> ApproveAsync(HttpContext context, OtterDbContext db, AuditLog audit, string id)
    {
        var row = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, context.RequestAborted);
        if (row is null)
        {
            return UnknownDevice(id);
        }

        if (row.Status != DeviceStatuses.Pending)
        {
            return Problems.Conflict($"device {id} is {row.Status}, not pending; only pending devices are approved.");
        }

        row.Status = DeviceStatuses.Approved;
        await db.SaveChangesAsync(context.RequestAborted);
        await audit.AppendAsync(db, context.Caller().Actor, "device.approve", id, null, context.RequestAborted);
        return Results.Json(DeviceViews.ToView(row), ProtocolJsonContext.Default.DeviceView);
    }

    private static async Task<IResult> TagAsync(HttpContext context, OtterDbContext db, AuditLog audit, string id)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.TagRequest);
        if (problem is not null)
        {
            return problem;
        }

        foreach (var name in request!.Add.Concat(request.Remove).Concat(request.Attributes.Keys))
        {
            if (name.Length is 0 or > 64 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                return Problems.BadRequest($"\"{name}\" is not a usable tag or attribute name (1 to 64 characters, no spaces).");
            }
        }

        if (request.Attributes.Values.Any(v => v is { Length: > 256 }))
        {
            return Problems.BadRequest("attribute values are at most 256 characters.");
        }

        var row = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, context.RequestAborted);
        if (row is null)
        {
            return UnknownDevice(id);
        }

        var tags = new SortedSet<string>(DeviceViews.Tags(row), StringComparer.Ordinal);
        tags.UnionWith(request.Add);
        tags.ExceptWith(request.Remove);
        var attributes = new SortedDictionary<string, string>(DeviceViews.Attributes(row), StringComparer.Ordinal);
        foreach (var (key, value) in request.Attributes)
        {
            if (value is null)
            {
                attributes.Remove(key);
            }
            else
            {
                attributes[key] = value;
            }
        }

        if (tags.Count > 64 || attributes.Count > 64)
        {
            return Problems.BadRequest("a device has at most 64 tags and 64 attributes.");
        }

        row.TagsJson = JsonSerializer.Serialize(tags.ToList(), ServerJsonContext.Default.ListString);
        row.AttributesJson = JsonSerializer.Serialize(new Dictionary<string, string>(attributes, StringComparer.Ordinal), ServerJsonContext.Default.DictionaryStringString);
        await db.SaveChangesAsync(context.RequestAborted);
        await audit.AppendAsync(db, context.Caller().Actor, "device.tag", id, $"tags [{string.Join(",", tags)}], attributes {{{string.Join(",", attributes.Select(a => a.Key + "=" + a.Value))}}}", context.RequestAborted);
        return Results.Json(DeviceViews.ToView(row), ProtocolJsonContext.Default.DeviceView);
    }

    private static async Task<IResult> AssignAsync(HttpContext context, OtterDbContext db, AuditLog audit, string id)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.AssignmentRequest);
        if (problem is not null)
        {
            return problem;
        }

        var row = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, context.RequestAborted);
        if (row is null)
        {
            return UnknownDevice(id);
        }

        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Name == request!.Release, context.RequestAborted);
        if (release is null)
        {
            return Problems.BadRequest($"no release named {request!.Release}; publish it first with `otter release publish`.");
        }

        if (release.Hardware != row.Hardware)
        {
            return Problems.BadRequest($"release {release.Name} is built for {release.Hardware}; device {id} is {row.Hardware}.");
        }

        if (row.Status is DeviceStatuses.Decommissioned)
        {
            return Problems.Conflict($"device {id} is decommissioned.");
        }

        await Rollouts.RolloutProgress.ReleaseAsync(db, row, $"replaced by a manual assignment of {release.Name}", context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(), context.RequestAborted);
        row.AssignedRelease = release.Name;
        row.AssignmentState = "pending";
        row.AssignmentStageOnly = false;
        await db.SaveChangesAsync(context.RequestAborted);
        await audit.AppendAsync(db, context.Caller().Actor, "device.assign", id, release.Name, context.RequestAborted);
        return Results.Json(DeviceViews.ToView(row), ProtocolJsonContext.Default.DeviceView);
    }

    private static async Task<IResult> DecommissionAsync(HttpContext context, OtterDbContext db, AuditLog audit, string id)
    {
        var row = await db.Devices.FirstOrDefaultAsync(d => d.Id == id, context.RequestAborted);
        if (row is null)
        {
            return UnknownDevice(id);
        }

        row.Status = DeviceStatuses.Decommissioned;
        row.CertificateSha256 = null;
        row.TokenSecret = null;
        row.AssignedRelease = null;
        row.AssignmentState = null;
        row.AssignmentStageOnly = false;
        await db.SaveChangesAsync(context.RequestAborted);
        await audit.AppendAsync(db, context.Caller().Actor, "device.decommission", id, null, context.RequestAborted);
        return Results.Json(DeviceViews.ToView(row), ProtocolJsonContext.Default.DeviceView);
    }

    private static IResult UnknownDevice(string id) => Problems.NotFound($"no device {id}; `otter device list` shows enrolled devices.");
}
