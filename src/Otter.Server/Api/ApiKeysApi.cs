using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Audit;
using Otter.Server.Auth;
using Otter.Server.Data;

namespace Otter.Server.Api;

/// <summary><c>/api/v1/api-keys</c>: admins make keys for people and scripts.</summary>
internal static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/api-keys", CreateAsync).WithTags("API keys").RequireRoles(Roles.Admin)
            .WithSummary("Create an API key with a role; the key is returned once.");
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, OtterDbContext db, AuditLog audit, TimeProvider time)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.ApiKeyRequest);
        if (problem is not null)
        {
            return problem;
        }

        if (!Roles.All.Contains(request!.Role))
        {
            return Problems.BadRequest($"role \"{request.Role}\" is not one of {string.Join(", ", Roles.All)}.");
        }

        if (request.Name.Length is 0 or > 64 || request.Name.Any(char.IsControl))
        {
            return Problems.BadRequest("name must be 1 to 64 characters.");
        }

        var (row, key) = ApiKeys.Create(request.Name, request.Role, time.GetUtcNow());
        db.ApiKeys.Add(row);
        await db.SaveChangesAsync(context.RequestAborted);
        await audit.AppendAsync(db, context.Caller().Actor, "api-key.create", request.Name, request.Role, context.RequestAborted);
        return Results.Json(new ApiKeyCreated { Name = row.Name, Role = row.Role, Key = key }, ProtocolJsonContext.Default.ApiKeyCreated, statusCode: StatusCodes.Status201Created);
    }
}
