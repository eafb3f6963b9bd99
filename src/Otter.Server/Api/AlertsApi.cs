using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol;
using Otter.Protocol.Alerts;
using Otter.Protocol.Management;
using Otter.Server.Audit;
using Otter.Server.Auth;
using Otter.Server.Data;

namespace Otter.Server.Api;

/// <summary><c>/api/v1/alerts</c>: webhook sinks, and alerts with their delivery log.</summary>
internal static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/alerts").WithTags("Alerts");
        group.MapPost("/webhooks", AddWebhookAsync).RequireRoles(Roles.Admin).WithSummary("Add a webhook; alerts are posted to it signed with its secret.");
        group.MapGet("/webhooks", ListWebhooksAsync).RequireRoles(Roles.Operator, Roles.Auditor);
        group.MapGet("/", ListAlertsAsync).RequireRoles(Roles.Operator, Roles.ReleaseManager, Roles.Auditor).WithSummary("Recent alerts with the delivery log.");
        return endpoints;
    }

    private static async Task<IResult> AddWebhookAsync(HttpContext context, OtterDbContext db, AuditLog audit, TimeProvider time)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.WebhookRequest);
        if (problem is not null)
        {
            return problem;
        }

        if (!Uri.TryCreate(request!.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return Problems.BadRequest($"webhook URL {request.Url} is not an absolute http(s) URL.");
        }

        if (request.Secret.Length < 16)
        {
            return Problems.BadRequest("the webhook secret must be at least 16 characters; generate one with e.g. `openssl rand -hex 32`.");
        }

        var sink = new AlertSinkRow { Url = url.AbsoluteUri, Secret = Encoding.UTF8.GetBytes(request.Secret), CreatedAt = time.GetUtcNow(), CreatedBy = context.Caller().Name };
        db.AlertSinks.Add(sink);
        await db.SaveChangesAsync(context.RequestAborted);
        await audit.AppendAsync(db, context.Caller().Actor, "alert.add-webhook", url.AbsoluteUri, null, context.RequestAborted);
        return Results.Json(new WebhookView { Id = sink.Id, Url = sink.Url, CreatedAt = sink.CreatedAt }, ProtocolJsonContext.Default.WebhookView, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListWebhooksAsync(OtterDbContext db, CancellationToken cancellationToken)
    {
        var sinks = await db.AlertSinks.AsNoTracking().OrderBy(s => s.Id).ToListAsync(cancellationToken);
        return Results.Json(sinks.Select(s => new WebhookView { Id = s.Id, Url = s.Url, CreatedAt = s.CreatedAt }).ToList(), ProtocolJsonContext.Default.ListWebhookView);
    }

    private static async Task<IResult> ListAlertsAsync(OtterDbContext db, int? limit, CancellationToken cancellationToken)
    {
        var alerts = await db.Alerts.AsNoTracking().OrderByDescending(a => a.Id).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(cancellationToken);
        var ids = alerts.Select(a => a.Id).ToList();
        var deliveries = (await db.AlertDeliveries.AsNoTracking().Where(d => ids.Contains(d.AlertId)).ToListAsync(cancellationToken)).ToLookup(d => d.AlertId);
        var views = alerts.Select(a => new AlertView
        {
            Alert = System.Text.Json.JsonSerializer.Deserialize(a.PayloadJson, ProtocolJsonContext.Default.AlertPayload)!,
            Deliveries = deliveries[a.Id].Select(d => new DeliveryView
            {
                SinkId = d.SinkId,
                Status = d.Status,
                Attempts = d.Attempts,
                LastStatusCode = d.LastStatusCode,
                LastError = d.LastError,
                DeliveredAt = d.DeliveredAt,
                NextAttemptAt = d.Status == "pending" ? d.NextAttemptAt : null,
            }).ToList(),
        }).ToList();
        return Results.Json(views, ProtocolJsonContext.Default.ListAlertView);
    }
}
