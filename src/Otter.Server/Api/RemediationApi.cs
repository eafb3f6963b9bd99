using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Protocol.Incidents;
using Otter.Server.Data;
using Otter.Server.Devices;
using Otter.Server.Incidents;
using Otter.Server.Setup;

namespace Otter.Server.Api;

/// <summary>
/// The device endpoints a quarantined device may still use: the remediation check-in (its only
/// way to learn of a re-image or a forensic request), remediation reports, and forensic uploads.
/// </summary>
internal static class RemediationApi
{
    private const int MaxItems = 256;

    public static IEndpointRouteBuilder MapRemediationApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(DeviceAuthenticationMiddleware.Prefix).WithTags("Device API");
        group.MapPost("/remediation/checkin", DeviceApi.CheckInAsync).WithSummary("Check-in for quarantined devices: state and quote; answered with remediation orders only.");
        group.MapPost("/remediation/reports", DeviceApi.ReportAsync).WithSummary("Progress of a forced re-image.");
        group.MapPost("/forensics/{request:long}", UploadAsync).WithSummary($"Upload a forensic bundle (JSON) signed with the device key ({ForensicSignature.Header} header).");
        return endpoints;
    }

    /// <summary>
    /// Checks everything before storing anything: the request is this device's and still open,
    /// the size, the signature by this device's enrolled key over the exact bytes, and the bundle's
    /// shape; then fills the request row once (a second upload finds it filled and is refused).
    /// </summary>
    private static async Task<IResult> UploadAsync(HttpContext context, OtterDbContext db, IncidentService incidents, RemediationOrders orders, ServerState state, TimeProvider time, long request)
    {
        var device = Device(context);
        var row = await db.ForensicBundles.AsNoTracking().Where(b => b.Id == request && b.DeviceId == device.Id)
            .Select(b => new { b.Id, b.IncidentId, Received = b.ReceivedAt != null }).FirstOrDefaultAsync(context.RequestAborted);
        if (row is null)
        {
            return Problems.NotFound($"device {device.Id} was asked for no forensic bundle {request}.");
        }

        if (row.Received)
        {
            return Problems.Conflict($"forensic bundle {request} was already received; evidence is written once.");
        }

        var limit = state.Settings.Incidents.ForensicBundleLimit;
        if (context.Request.ContentLength > limit)
        {
            return Problems.TooLarge($"the bundle is {context.Request.ContentLength} bytes; at most {limit} are accepted (incidents.forensic_bundle_limit).");
        }

        if (context.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "send the bundle as application/json.");
        }

        byte[] bytes;
        try
        {
            bytes = await ReadAsync(context.Request.Body, limit, context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.TooLarge($"the bundle is larger than the {limit} bytes accepted (incidents.forensic_bundle_limit).");
        }
        catch (InvalidDataException)
        {
            return Problems.TooLarge($"the bundle is larger than the {limit} bytes accepted (incidents.forensic_bundle_limit).");
        }

        if (context.Request.Headers[ForensicSignature.Header].ToString() is not { Length: > 0 } header)
        {
            return Problems.BadRequest($"the bundle is unsigned: send the device key's signature over the exact bytes, base64 DER, in the {ForensicSignature.Header} header.");
        }

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(header);
        }
        catch (FormatException)
        {
            return Problems.BadRequest($"the {ForensicSignature.Header} header is not base64.");
        }

        if (!ForensicSignature.Verify(bytes, signature, device.PublicKeyPem))
        {
            return Problems.Forbidden($"the bundle's signature does not verify with device {device.Id}'s enrolled key; nothing was stored.");
        }

        if (Check(bytes, device.Id, request) is { } malformed)
        {
            return Problems.BadRequest($"the bundle is malformed: {malformed}; nothing was stored.");
        }

        var now = time.GetUtcNow();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));

        // Write-once: only a row still waiting is filled; a racing second upload changes nothing.
        var stored = await db.ForensicBundles
            .Where(b => b.Id == request && b.ReceivedAt == null)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(b => b.ReceivedAt, now)
                    .SetProperty(b => b.Sha256, sha256)
                    .SetProperty(b => b.Length, bytes.LongLength)
                    .SetProperty(b => b.Signature, signature)
                    .SetProperty(b => b.DevicePublicKeyPem, device.PublicKeyPem)
                    .SetProperty(b => b.Content, bytes),
                context.RequestAborted);
        if (stored == 0)
        {
            return Problems.Conflict($"forensic bundle {request} was already received; evidence is written once.");
        }

        if (!await db.ForensicBundles.AnyAsync(b => b.DeviceId == device.Id && b.ReceivedAt == null, context.RequestAborted)
            && !await db.Remediations.AnyAsync(r => r.DeviceId == device.Id, context.RequestAborted))
        {
            orders.Clear(device.Id);
        }

        if (row.IncidentId is { } id && await db.Incidents.FirstOrDefaultAsync(i => i.Id == id, context.RequestAborted) is { } incident)
        {
            await incidents.StepAsync(db, incident, IncidentPhases.Investigation, "evidence-received", $"forensic bundle {request}: {bytes.Length} bytes, SHA-256 {sha256}, signed by the device key", $"device:{device.Id}", context.RequestAborted);
        }

        return Results.Json(
            IncidentViews.ToEvidence((await IncidentViews.WithoutContent(db.ForensicBundles.AsNoTracking().Where(b => b.Id == request)).FirstAsync(context.RequestAborted))),
            ProtocolJsonContext.Default.EvidenceView,
            statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Why the bytes are not a bundle for this request, or null.</summary>
    private static string? Check(byte[] bytes, string deviceId, long request)
    {
        ForensicBundle? bundle;
        try
        {
            bundle = JsonSerializer.Deserialize(bytes, ProtocolJsonContext.Default.ForensicBundle);
        }
        catch (JsonException ex)
        {
            return $"not a forensic bundle document ({ex.Message})";
        }

        if (bundle is null)
        {
            return "the document is JSON null";
        }

        if (bundle.DeviceId != deviceId || bundle.RequestId != request)
        {
            return $"it names device {bundle.DeviceId} and request {bundle.RequestId}, not device {deviceId} and request {request}";
        }

        if (bundle.Items.Count is 0 or > MaxItems)
        {
            return $"it must hold 1 to {MaxItems} items";
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in bundle.Items)
        {
            if (item.Name.Length is 0 or > 200 || item.Name.StartsWith('/') || item.Name.Contains('\\', StringComparison.Ordinal)
                || item.Name.Split('/').Any(p => p is "" or "." or "..") || item.Name.Any(char.IsControl))
            {
                return $"item name \"{item.Name}\" is not a plain relative name";
            }

            if (!names.Add(item.Name))
            {
                return $"item \"{item.Name}\" appears twice";
            }

            var buffer = new byte[(item.Content.Length * 3 / 4) + 3];
            if (!Convert.TryFromBase64String(item.Content, buffer, out _))
            {
                return $"item \"{item.Name}\" is not base64";
            }
        }

        return null;
    }

    private static async Task<byte[]> ReadAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new InvalidDataException("over the limit");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static DeviceRow Device(HttpContext context) =>
        context.Items[DeviceAuthenticationMiddleware.DeviceKey] as DeviceRow
            ?? throw new InvalidOperationException("no authenticated device; the middleware did not run.");
}
