using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Auth;
using Otter.Server.Data;
using Otter.Server.Releases;
using Otter.Server.Rollouts;

namespace Otter.Server.Api;

/// <summary><c>/api/v1/rollouts</c>: create, list, inspect and steer phased rollouts.</summary>
internal static class RolloutsApi
{
    public static IEndpointRouteBuilder MapRolloutsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/rollouts").WithTags("Rollouts");
        var steer = new[] { Roles.ReleaseManager, Roles.Operator };
        var read = new[] { Roles.ReleaseManager, Roles.Operator, Roles.Auditor };
        group.MapPost("/", CreateAsync).RequireRoles(steer).WithSummary("Create a rollout (not started): devices are placed in waves now.");
        group.MapGet("/", ListAsync).RequireRoles(read);
        group.MapGet("/{id:long}", GetAsync).RequireRoles(read).WithSummary("A rollout with per-wave device counts.");
        foreach (var action in new[] { "start", "pause", "resume", "cancel" })
        {
            group.MapPost("/{id:long}/" + action, (HttpContext context, OtterDbContext db, RolloutService rollouts, long id) => ChangeAsync(context, db, rollouts, id, action))
                .RequireRoles(steer)
                .WithName("rollout-" + action);
        }

        return endpoints;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, OtterDbContext db, RolloutService rollouts)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.RolloutRequest);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var rollout = await rollouts.CreateAsync(db, request!, context.Caller(), context.RequestAborted);
            return Results.Json(await ViewAsync(db, rollout, context.RequestAborted), ProtocolJsonContext.Default.RolloutView, statusCode: StatusCodes.Status201Created);
        }
        catch (RolloutSpecException ex)
        {
            return Problems.BadRequest(ex.Message);
        }
        catch (ReleaseException ex)
        {
            return Problems.Create(ex.Status, "Bad request", ex.Message);
        }
    }

    private static async Task<IResult> ListAsync(OtterDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.Rollouts.AsNoTracking().OrderByDescending(r => r.Id).Take(500).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var waves = (await db.RolloutWaves.AsNoTracking().Where(w => ids.Contains(w.RolloutId)).ToListAsync(cancellationToken)).ToLookup(w => w.RolloutId);
        return Results.Json(rows.Select(r => RolloutService.ToView(r, waves[r.Id].OrderBy(w => w.Index).ToList())).ToList(), ProtocolJsonContext.Default.ListRolloutView);
    }

    private static async Task<IResult> GetAsync(OtterDbContext db, long id, CancellationToken cancellationToken)
    {
        var row = await db.Rollouts.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return row is null
            ? Problems.NotFound($"no rollout {id}; `otter rollout list` shows them.")
            : Results.Json(await ViewAsync(db, row, cancellationToken), ProtocolJsonContext.Default.RolloutView);
    }

    private static async Task<IResult> ChangeAsync(HttpContext context, OtterDbContext db, RolloutService rollouts, long id, string action)
    {
        try
        {
            var rollout = await rollouts.ChangeAsync(db, id, action, context.Caller(), context.RequestAborted);
            return Results.Json(await ViewAsync(db, rollout, context.RequestAborted), ProtocolJsonContext.Default.RolloutView);
        }
        catch (ReleaseException ex)
        {
            return Problems.Create(ex.Status, ex.Status == StatusCodes.Status404NotFound ? "Not found" : "Conflict", ex.Message);
        }
    }

    private static async Task<Otter.Protocol.Rollouts.RolloutView> ViewAsync(OtterDbContext db, RolloutRow rollout, CancellationToken cancellationToken)
    {
        var waves = await db.RolloutWaves.AsNoTracking().Where(w => w.RolloutId == rollout.Id).OrderBy(w => w.Index).ToListAsync(cancellationToken);
        return RolloutService.ToView(rollout, waves);
    }
}
