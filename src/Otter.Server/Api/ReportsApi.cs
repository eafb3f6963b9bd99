using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Auth;
using Otter.Server.Data;
using Otter.Server.Reports;

namespace Otter.Server.Api;

/// <summary><c>/api/v1/reports/compliance</c> (JSON or CSV) and <c>/metrics</c> (Prometheus text).</summary>
internal static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder endpoints)
    {
        var readers = new[] { Roles.Operator, Roles.ReleaseManager, Roles.Auditor };
        endpoints.MapGet("/api/v1/reports/compliance", ComplianceAsync).WithTags("Reports").RequireRoles(readers)
            .WithSummary("Devices per release, below the newest security counter, days since patch and since seen; ?stale_days=N&format=csv.");
        endpoints.MapGet("/metrics", MetricsAsync).WithTags("Reports").RequireRoles(readers)
            .WithSummary("The same numbers and rollout progress in the Prometheus text format (scrape with an API key as bearer token).");
        return endpoints;
    }

    private static async Task<IResult> ComplianceAsync(OtterDbContext db, ComplianceService compliance, [FromQuery(Name = "stale_days")] int? staleDays, string? format, CancellationToken cancellationToken)
    {
        if (staleDays is < 1 or > 3650)
        {
            return Problems.BadRequest("stale_days must be 1 to 3650.");
        }

        if (format is not (null or "json" or "csv"))
        {
            return Problems.BadRequest($"format {format} is not json or csv.");
        }

        var report = await compliance.BuildAsync(db, staleDays ?? 7, cancellationToken);
        return format == "csv"
            ? Results.Text(ComplianceCsv.Write(report), "text/csv; charset=utf-8")
            : Results.Json(report, ProtocolJsonContext.Default.ComplianceReport);
    }

    private static async Task<IResult> MetricsAsync(OtterDbContext db, ComplianceService compliance, CancellationToken cancellationToken)
    {
        var report = await compliance.BuildAsync(db, 7, cancellationToken);
        return Results.Text(await PrometheusMetrics.WriteAsync(db, report, cancellationToken), "text/plain; version=0.0.4; charset=utf-8");
    }
}
