using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Otter.Protocol.Management;
using Otter.Server.Api;
using Otter.Server.Data;

namespace Otter.Server.Auth;

/// <summary>Lets a management request through only with a valid API key of one of the allowed roles (admin always).</summary>
internal sealed class RoleFilter(IReadOnlyList<string> roles) : IEndpointFilter
{
    public const string CallerKey = "otter.caller";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var db = http.RequestServices.GetRequiredService<OtterDbContext>();
        var metrics = http.RequestServices.GetRequiredService<Hosting.ServerMetrics>();
        var (caller, problem) = await ApiKeys.AuthenticateAsync(db, http.Request.Headers.Authorization, http.RequestAborted);
        if (caller is null)
        {
            metrics.ApiRefused(StatusCodes.Status401Unauthorized);
            return Problems.Unauthorized(problem!);
        }

        if (caller.Role != Roles.Admin && !roles.Contains(caller.Role))
        {
            // Known for the refusal log line, though the request goes no further.
            http.Items[CallerKey] = caller;
            metrics.ApiRefused(StatusCodes.Status403Forbidden);
            return Problems.Forbidden($"the API key {caller.Name} has role {caller.Role}; this needs {string.Join(" or ", roles.Prepend(Roles.Admin).Distinct())}.");
        }

        http.Items[CallerKey] = caller;
        return await next(context);
    }
}
