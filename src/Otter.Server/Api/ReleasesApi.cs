using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Auth;
using Otter.Server.Data;
using Otter.Server.Releases;
using Otter.Server.Setup;

namespace Otter.Server.Api;

/// <summary><c>/api/v1/releases</c>: publish (streamed upload) and list.</summary>
internal static class ReleasesApi
{
    public static IEndpointRouteBuilder MapReleasesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/releases").WithTags("Releases");
        group.MapPost("/", PublishAsync).RequireRoles(Roles.ReleaseManager)
            .WithSummary("Publish a bundle (application/octet-stream body, ?name=NAME): TUF target, log record, inclusion proof.");
        group.MapGet("/", ListAsync).RequireRoles(Roles.ReleaseManager, Roles.Operator, Roles.Auditor);
        group.MapGet("/{**name}", GetAsync).RequireRoles(Roles.ReleaseManager, Roles.Operator, Roles.Auditor);
        return endpoints;
    }

    private static async Task<IResult> PublishAsync(HttpContext context, OtterDbContext db, ReleasePublisher publisher, ServerState state, string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return Problems.BadRequest("give the release name as ?name=NAME (it becomes the TUF target name).");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = state.Settings.ReleaseLimit;
        }

        try
        {
            var result = await publisher.PublishAsync(db, name, context.Request.Body, context.Request.ContentLength, context.Caller(), context.RequestAborted);
            return Results.Json(result, ProtocolJsonContext.Default.PublishResult, statusCode: StatusCodes.Status201Created);
        }
        catch (ReleaseException ex)
        {
            return Problems.Create(ex.Status, ex.Status switch { 400 => "Bad request", 409 => "Conflict", 413 => "Payload too large", _ => "Publish failed" }, ex.Message);
        }
    }

    private static async Task<IResult> ListAsync(OtterDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.Releases.AsNoTracking().OrderBy(r => r.PublishedAt).ThenBy(r => r.Name).ToListAsync(cancellationToken);
        return Results.Json(rows.Select(ReleasePublisher.ToInfo).ToList(), ProtocolJsonContext.Default.ListReleaseInfo);
    }

    private static async Task<IResult> GetAsync(OtterDbContext db, string name, CancellationToken cancellationToken)
    {
        var row = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Name == name, cancellationToken);
        return row is null
            ? Problems.NotFound($"no release named {name}; `otter release list` shows the published ones.")
            : Results.Json(ReleasePublisher.ToInfo(row), ProtocolJsonContext.Default.ReleaseInfo);
    }
}
