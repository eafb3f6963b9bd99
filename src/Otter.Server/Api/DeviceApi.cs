using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Server.Data;
using Otter.Server.Devices;

namespace Otter.Server.Api;

/// <summary><c>/device/v1</c>: enrollment, check-in, reports and the device's own record. Authentication is <see cref="DeviceAuthenticationMiddleware"/>'s.</summary>
internal static class DeviceApi
{
    public static IEndpointRouteBuilder MapDeviceApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(DeviceAuthenticationMiddleware.Prefix).WithTags("Device API");
        group.MapPost("/enroll", EnrollAsync).WithSummary("Enroll with a CSR and the factory identity certificate.");
        group.MapPost("/checkin", CheckInAsync).WithSummary("Report state; get the assigned action and the next attestation nonce.");
        group.MapPost("/reports", ReportAsync).WithSummary("Report progress or the result of an update.");
        group.MapGet("/devices/{id}", Self).WithSummary("The calling device's own record (and only its own).");
        return endpoints;
    }

    private static async Task<IResult> EnrollAsync(HttpContext context, OtterDbContext db, EnrollmentService enrollment)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.EnrollRequest);
        return problem ?? await enrollment.EnrollAsync(db, request!, context.RequestAborted);
    }

    /// <summary>Also the remediation check-in: the same body; CheckInService hands a quarantined device its orders only.</summary>
    internal static async Task<IResult> CheckInAsync(HttpContext context, CheckInService checkIns)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.CheckInRequest);
        if (problem is not null)
        {
            return problem;
        }

        if (request!.Slots.Count > 8 || request.Slots.Keys.Any(k => k.Length is 0 or > 16))
        {
            return Problems.BadRequest("slots must name at most 8 slots, each 1 to 16 characters.");
        }

        var response = await checkIns.CheckInAsync(context.RequestServices, Device(context), request, context.RequestAborted);
        return Results.Json(response, ProtocolJsonContext.Default.CheckInResponse);
    }

    /// <summary>Also the remediation reports of a forced re-image.</summary>
    internal static async Task<IResult> ReportAsync(HttpContext context, OtterDbContext db, CheckInService checkIns)
    {
        var (report, problem) = await JsonBody.ReadAsync(context, ProtocolJsonContext.Default.DeviceReport);
        if (problem is not null)
        {
            return problem;
        }

        if (!ReportPhases.All.Contains(report!.Phase))
        {
            return Problems.BadRequest($"phase \"{report.Phase}\" is not one of {string.Join(", ", ReportPhases.All.Order(StringComparer.Ordinal))}.");
        }

        await checkIns.ReportAsync(db, Device(context), report, context.RequestAborted);
        return Results.NoContent();
    }

    private static IResult Self(HttpContext context, string id)
    {
        var device = Device(context);
        if (!string.Equals(id, device.Id, StringComparison.Ordinal))
        {
            return Problems.Forbidden($"device {device.Id} may read only its own record, not {id}.");
        }

        return Results.Json(DeviceViews.ToView(device), ProtocolJsonContext.Default.DeviceView);
    }

    private static DeviceRow Device(HttpContext context) =>
        context.Items[DeviceAuthenticationMiddleware.DeviceKey] as DeviceRow
            ?? throw new InvalidOperationException("no authenticated device; the middleware did not run.");
}
