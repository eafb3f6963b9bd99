using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Otter.Server.Auth;
using Otter.Server.Data;
using Otter.Server.Devices;

namespace Otter.Server.Api;

/// <summary>Logs every refused request (4xx) of the device and management APIs: who, what, and why.</summary>
internal sealed partial class RefusalLoggingMiddleware(RequestDelegate next, ILogger<RefusalLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var status = context.Response.StatusCode;
        if (status is < 400 or >= 500 || !(context.Request.Path.StartsWithSegments("/device", StringComparison.Ordinal) || context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)))
        {
            return;
        }

        var who = context.Items[DeviceAuthenticationMiddleware.DeviceKey] is DeviceRow device ? "device " + device.Id
            : context.Items[RoleFilter.CallerKey] is ApiCaller caller ? "key " + caller.Name
            : "caller at " + context.Connection.RemoteIpAddress + " (credentials not accepted)";
        LogRefused(logger, context.Request.Method, context.Request.Path.Value ?? string.Empty, status, who, context.Items[ProblemResult.DetailKey] as string ?? "-");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "refused {Method} {Path} with {Status} for {Who}: {Detail}")]
    private static partial void LogRefused(ILogger logger, string method, string path, int status, string who, string detail);
}
