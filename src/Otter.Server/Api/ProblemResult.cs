using Microsoft.AspNetCore.Http;

namespace Otter.Server.Api;

/// <summary>A problem+json answer that also leaves its detail for <see cref="RefusalLoggingMiddleware"/> to log.</summary>
internal sealed class ProblemResult(int status, string title, string detail, string? type = null) : IResult
{
    public const string DetailKey = "otter.problem";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Items[DetailKey] = detail;
        return Results.Problem(statusCode: status, title: title, detail: detail, type: type).ExecuteAsync(httpContext);
    }
}
