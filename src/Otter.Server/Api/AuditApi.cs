using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Audit;
using Otter.Server.Auth;
using Otter.Server.Data;

namespace Otter.Server.Api;

/// <summary><c>/api/v1/audit</c>: export the chain and verify it.</summary>
internal static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/audit").WithTags("Audit");
        group.MapGet("/", ExportAsync).RequireRoles(Roles.Auditor).WithSummary("Audit rows in order; ?after=SEQ&limit=N (at most 10000).");
        group.MapGet("/verify", VerifyAsync).RequireRoles(Roles.Auditor).WithSummary("Check every link and hash of the chain and its recorded head.");
        return endpoints;
    }

    private static async Task<IResult> ExportAsync(OtterDbContext db, long? after, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 10_000)
        {
            return Problems.BadRequest("limit must be 1 to 10000.");
        }

        var from = after ?? 0;
        var rows = await db.Audit.AsNoTracking().Where(a => a.Sequence > from).OrderBy(a => a.Sequence).Take(limit ?? 10_000).ToListAsync(cancellationToken);
        return Results.Json(rows.Select(AuditLog.ToEntry).ToList(), ProtocolJsonContext.Default.ListAuditEntry);
    }

    private static async Task<IResult> VerifyAsync(OtterDbContext db, AuditLog audit, CancellationToken cancellationToken) =>
        Results.Json(await audit.VerifyAsync(db, cancellationToken), ProtocolJsonContext.Default.AuditVerification);
}
