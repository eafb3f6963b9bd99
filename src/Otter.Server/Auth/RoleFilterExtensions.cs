using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Otter.Server.Auth;

/// <summary><c>.RequireRoles(…)</c> for management endpoints.</summary>
internal static class RoleFilterExtensions
{
    public static TBuilder RequireRoles<TBuilder>(this TBuilder builder, params string[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new RoleFilter(roles));

    /// <summary>The authenticated caller (set by <see cref="RoleFilter"/>).</summary>
    public static ApiCaller Caller(this HttpContext context) =>
        context.Items[RoleFilter.CallerKey] as ApiCaller ?? throw new InvalidOperationException("no API caller: the endpoint lacks RequireRoles.");
}
