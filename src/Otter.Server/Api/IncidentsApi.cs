using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol;
using Otter.Protocol.Incidents;
using Otter.Protocol.Management;
using Otter.Server.Auth;
using Otter.Server.Data;
using Otter.Server.Incidents;

namespace Otter.Server.Api;

/// <summary><c>/api/v1/incidents</c>: incidents with their timelines, operators' notes, closing with a post-mortem, evidence export.</summary>
internal static class IncidentsApi
{
    private const int MaxText = 4000;

    public static IEndpointRouteBuilder MapIncidentsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/incidents").WithTags("Incidents");
        var readers = new[] { Roles.Operator, Roles.Auditor };
        group.MapGet("/", ListAsync).RequireRoles(readers).WithSummary("Incidents, newest first; ?status=open|closed, ?device=ID, ?limit=N (at most 1000).");
        group.MapGet("/{id:long}", GetAsync).RequireRoles(readers).WithSummary("One incident with its timeline and chain-of-custody records.");
        group.MapPost("/{id:long}/notes", NoteAsync).RequireRoles(Roles.Operator).WithSummary("Add an operator's note to the timeline.");
        group.MapPost("/{id:long}/close", CloseAsync).RequireRoles(Roles.Operator).WithSummary("Close with the post-mortem: root cause and prevention.");
        group.MapGet("/{id:long}/evidence/{evidence:long}", BundleAsync).RequireRoles(readers).WithSummary("A received forensic bundle's bytes, exactly as the device signed them.");
        return endpoints;
    }

    private static async Task<IResult> ListAsync(OtterDbContext db, string? status, string? device, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 1000)
        {
            return Problems.BadRequest("limit must be 1 to 1000.");
        }

        if (status is not null and not IncidentStatuses.Open and not IncidentStatuses.Closed)
        {
            return Problems.BadRequest($"status must be {IncidentStatuses.Open} or {IncidentStatuses.Closed}.");
        }

        var query = db.Incidents.AsNoTracking();
        if (status is not null)
        {
            query = query.Where(i => i.Status == status);
        }

        if (device is not null)
        {
            query = query.Where(i => i.DeviceId == device);
        }

        var rows = await query.OrderByDescending(i => i.Id).Take(limit ?? 200).ToListAsync(cancellationToken);
        return Results.Json(rows.Select(r => IncidentViews.ToView(r, [], [])).ToList(), ProtocolJsonContext.Default.ListIncidentView);
    }

    private static async Task<IResult> GetAsync(OtterDbContext db, long id, CancellationToken cancellationToken) =>
        await IncidentViews.LoadAsync(db, id, cancellationToken) is { } view
            ? Results.Json(view, ProtocolJsonContext.Default.IncidentView)
            : UnknownIncident(id);

    private static async Task<IResult> NoteAsync(HttpContext context, OtterDbContext db, IncidentService incidents, long id)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.IncidentNoteRequest);
        if (problem is not null)
        {
            return problem;
        }

        if (!IncidentPhases.All.Contains(request!.Phase))
        {
            return Problems.BadRequest($"phase \"{request.Phase}\" is not one of {string.Join(", ", IncidentPhases.All.Order(StringComparer.Ordinal))}.");
        }

        if (string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > MaxText)
        {
            return Problems.BadRequest($"text must be 1 to {MaxText} characters.");
        }

        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, context.RequestAborted);
        if (incident is null)
        {
            return UnknownIncident(id);
        }

        await incidents.StepAsync(db, incident, request.Phase, "note", request.Text, context.Caller().Actor, context.RequestAborted);
        return Results.Json((await IncidentViews.LoadAsync(db, id, context.RequestAborted))!, ProtocolJsonContext.Default.IncidentView);
    }

    private static async Task<IResult> CloseAsync(HttpContext context, OtterDbContext db, IncidentService incidents, TimeProvider time, long id)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.IncidentCloseRequest);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(request!.RootCause) || string.IsNullOrWhiteSpace(request.Prevention) || request.RootCause.Length > MaxText || request.Prevention.Length > MaxText)
        {
            return Problems.BadRequest($"a post-mortem needs both root_cause and prevention, each 1 to {MaxText} characters.");
        }

        var incident = await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, context.RequestAborted);
        if (incident is null)
        {
            return UnknownIncident(id);
        }

        if (incident.Status == IncidentStatuses.Closed)
        {
            return Problems.Conflict($"incident {id} was closed at {incident.ClosedAt:u} by {incident.ClosedBy}; add notes instead.");
        }

        var device = await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.Id == incident.DeviceId, context.RequestAborted);
        if (device?.Status == DeviceStatuses.Quarantined)
        {
            return Problems.Conflict($"device {incident.DeviceId} is still quarantined; release it (`otter device unquarantine {incident.DeviceId} --reason …`) or wipe or decommission it before closing the incident.");
        }

        var actor = context.Caller().Actor;
        incident.Status = IncidentStatuses.Closed;
        incident.ClosedAt = time.GetUtcNow();
        incident.ClosedBy = actor;
        incident.RootCause = request.RootCause;
        incident.Prevention = request.Prevention;
        await incidents.StepAsync(db, incident, IncidentPhases.PostMortem, "closed", $"root cause: {request.RootCause}; prevention: {request.Prevention}", actor, context.RequestAborted);
        return Results.Json((await IncidentViews.LoadAsync(db, id, context.RequestAborted))!, ProtocolJsonContext.Default.IncidentView);
    }

    private static async Task<IResult> BundleAsync(OtterDbContext db, long id, long evidence, CancellationToken cancellationToken)
    {
        var row = await db.ForensicBundles.AsNoTracking().FirstOrDefaultAsync(b => b.Id == evidence && b.IncidentId == id, cancellationToken);
        if (row is null)
        {
            return Problems.NotFound($"incident {id} has no evidence {evidence}; `otter incident show {id}` lists it.");
        }

        return row.Content is null
            ? Problems.Conflict($"evidence {evidence} was requested at {row.RequestedAt:u} but the device has not sent it yet.")
            : Results.Bytes(row.Content, "application/json");
    }

    private static IResult UnknownIncident(long id) => Problems.NotFound($"no incident {id}; `otter incident list` shows them.");
}
