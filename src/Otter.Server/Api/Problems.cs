using Microsoft.AspNetCore.Http;

namespace Otter.Server.Api;

/// <summary>problem+json answers with a title per status and a detail that says what to do.</summary>
internal static class Problems
{
    public static IResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult Unauthorized(string detail) => Create(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static IResult Forbidden(string detail) => Create(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static IResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Create(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult TooLarge(string detail) => Create(StatusCodes.Status413PayloadTooLarge, "Payload too large", detail);

    public static IResult Create(int status, string title, string detail) => new ProblemResult(status, title, detail);

    /// <summary>Writes a problem with a machine-readable <paramref name="type"/> straight to the response (for middleware).</summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, string? type) =>
        new ProblemResult(status, title, detail, type).ExecuteAsync(context);

    /// <summary>Writes a problem straight to the response (for middleware).</summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail) =>
        Create(status, title, detail).ExecuteAsync(context);
}
