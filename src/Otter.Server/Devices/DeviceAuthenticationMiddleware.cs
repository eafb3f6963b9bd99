using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol.Device;
using Otter.Protocol.Management;
using Otter.Server.Api;
using Otter.Server.Data;
using Otter.Server.Pki;
using Otter.Server.Setup;

namespace Otter.Server.Devices;

/// <summary>
/// Guards <c>/device/v1</c>: only on the device endpoint; every call but enrollment needs the
/// device's current fleet certificate or a fresh signed device token; then the per-device rate
/// limit. Refusals are problem+json 401/403/429 and are logged.
/// </summary>
internal sealed class DeviceAuthenticationMiddleware(
    RequestDelegate next,
    ServerState state,
    TimeProvider time,
    TokenReplayCache replays,
    DeviceLimiter limiter,
    Hosting.ServerMetrics metrics,
    DeviceWriteBehind writeBehind,
    DeviceLookup devices,
    Incidents.AnomalyDetectors detectors)
{
    public const string DeviceKey = "otter.device";
    public const string Prefix = "/device/v1";
    private const string ConnectionKey = "otter.verified-client-certificate";

    /// <summary>The problem type of a quarantined device's refusal: it should check in at <see cref="RemediationCheckIn"/>.</summary>
    public const string QuarantinedType = "urn:otter:problem:device-quarantined";

    /// <summary>The problem type telling a wiped device to crypto-erase and re-enroll with its factory identity.</summary>
    public const string WipedType = "urn:otter:problem:device-wiped";

    /// <summary>The check-in a quarantined device may still make: it carries remediation orders only.</summary>
    public const string RemediationCheckIn = Prefix + "/remediation/checkin";

    /// <summary>Reports about a remediation order.</summary>
    public const string RemediationReports = Prefix + "/remediation/reports";

    /// <summary>Forensic bundle uploads: <c>/device/v1/forensics/{request}</c>.</summary>
    public const string Forensics = Prefix + "/forensics";

    public async Task InvokeAsync(HttpContext context)
    {
        var onDeviceEndpoint = context.Features.Get<DeviceEndpointFeature>() is not null;
        var isDevicePath = context.Request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal);
        if (onDeviceEndpoint != isDevicePath)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not found", onDeviceEndpoint
                ? "the device endpoint serves only /device/v1; the management API, /repo and /log are on the API URL."
                : "the device API is served on the device URL (client certificates), not here.");
            return;
        }

        if (!isDevicePath)
        {
            await next(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = context.Request.Path.StartsWithSegments(Forensics, StringComparison.Ordinal)
                ? state.Settings.Incidents.ForensicBundleLimit
                : state.Settings.DeviceBodyLimit;
        }

        if (context.Request.Path.Equals(Prefix + "/enroll", StringComparison.Ordinal))
        {
            if (limiter.TryAcquire("ip:" + context.Connection.RemoteIpAddress) is { } wait)
            {
                await TooManyAsync(context, wait, "address " + context.Connection.RemoteIpAddress);
                return;
            }

            await next(context);
            return;
        }

        var (device, problem, status, type, claimed) = await AuthenticateAsync(context);
        if (device is null)
        {
            if (claimed is not null && status == StatusCodes.Status401Unauthorized)
            {
                // Failed authentication as a known device feeds its baseline (no database work here).
                detectors.FailedAuthentication(claimed, time.GetUtcNow());
            }

            if (limiter.TryAcquire("ip:" + context.Connection.RemoteIpAddress) is { } wait)
            {
                await TooManyAsync(context, wait, "address " + context.Connection.RemoteIpAddress);
                return;
            }

            metrics.DeviceRefused(status);
            await Problems.WriteAsync(context, status, status switch { StatusCodes.Status401Unauthorized => "Unauthorized", StatusCodes.Status413PayloadTooLarge => "Payload too large", _ => "Forbidden" }, problem!, type);
            return;
        }

        if (limiter.TryAcquire("device:" + device.Id) is { } retry)
        {
            await TooManyAsync(context, retry, "device " + device.Id);
            return;
        }

        context.Items[DeviceKey] = device;
        detectors.Request(device, context.Connection.RemoteIpAddress, context.Request.ContentLength ?? 0, time.GetUtcNow());
        await next(context);
    }

    /// <summary>The endpoints a quarantined device may still use.</summary>
    public static bool IsRemediationPath(PathString path) =>
        path.Equals(RemediationCheckIn, StringComparison.Ordinal)
        || path.Equals(RemediationReports, StringComparison.Ordinal)
        || path.StartsWithSegments(Forensics, StringComparison.Ordinal);

    private async Task<(DeviceRow? Device, string? Problem, int Status, string? Type, string? Claimed)> AuthenticateAsync(HttpContext context)
    {
        var (device, problem, status, claimed) = await CheckCredentialsAsync(context);
        if (device is null)
        {
            return (null, problem, status, null, claimed);
        }

        writeBehind.Overlay(device);
        if (device.Status == DeviceStatuses.Wiped)
        {
            return (null, WipedProblem(device.Id), StatusCodes.Status403Forbidden, WipedType, null);
        }

        return device.Status switch
        {
            DeviceStatuses.Approved => (device, null, 0, null, null),
            DeviceStatuses.Quarantined when IsRemediationPath(context.Request.Path) => (device, null, 0, null, null),
            DeviceStatuses.Pending => (null, $"device {device.Id} waits for an operator's approval (`otter device approve {device.Id}`).", StatusCodes.Status403Forbidden, null, null),
            DeviceStatuses.Quarantined => (null, $"device {device.Id} is quarantined; only remediation is allowed: check in at {RemediationCheckIn} for orders (re-image, forensic collection).", StatusCodes.Status403Forbidden, QuarantinedType, null),
            _ => (null, $"device {device.Id} is {device.Status}; its credentials no longer work.", StatusCodes.Status403Forbidden, null, null),
        };
    }

    private static string WipedProblem(string id) =>
        $"device {id} was wiped by the fleet: its certificate and tokens are revoked. Crypto-erase (destroy the data key and credentials, clear the slots but recovery) and enroll again with the factory identity as a new fleet identity.";

    /// <summary>The device the credentials prove, or why not, and which device they claimed to be.</summary>
    private async Task<(DeviceRow? Device, string? Problem, int Status, string? Claimed)> CheckCredentialsAsync(HttpContext context)
    {
        var now = time.GetUtcNow();
        var certificate = context.Connection.ClientCertificate;
        DeviceRow? device;
        if (certificate is not null)
        {
            var verified = VerifyCertificate(context, certificate, now);
            if (verified.Problem is not null)
            {
                return (null, verified.Problem, StatusCodes.Status401Unauthorized, null);
            }

            device = await devices.FindAsync(verified.Certificate!.DeviceId, context.RequestAborted);
            if (device is { Status: DeviceStatuses.Wiped })
            {
                // A fleet certificate for a wiped identity learns only that it is wiped.
                return (device, null, 0, null);
            }

            if (device?.CertificateSha256 is null
                || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(device.CertificateSha256), Convert.FromHexString(verified.Certificate!.Sha256)))
            {
                return (null, $"client certificate refused: it is not the current certificate of device {verified.Certificate!.DeviceId} (replaced, revoked or never issued).", StatusCodes.Status401Unauthorized, device?.Id);
            }
        }
        else if (DeviceToken.TryParse(context.Request.Headers.Authorization) is { } token)
        {
            var skew = Math.Abs(now.ToUnixTimeSeconds() - token.Timestamp);
            if (skew > DeviceToken.Window.TotalSeconds)
            {
                return (null, $"device token refused: its timestamp is {skew} s away from the server's clock (at most {DeviceToken.Window.TotalSeconds} s); fix the device clock and sign a new request.", StatusCodes.Status401Unauthorized, null);
            }

            device = await devices.FindAsync(token.DeviceId, context.RequestAborted);
            if (device is { Status: DeviceStatuses.Wiped })
            {
                return (device, null, 0, null);
            }

            if (device?.TokenSecret is null)
            {
                return (null, $"device token refused: no device {token.DeviceId} with a token secret.", StatusCodes.Status401Unauthorized, null);
            }

            var size = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? state.Settings.DeviceBodyLimit;
            context.Request.EnableBuffering();
            byte[] bodyHash;
            try
            {
                bodyHash = await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return (null, $"the body is larger than the {size} bytes the device API accepts here.", StatusCodes.Status413PayloadTooLarge, null);
            }

            context.Request.Body.Position = 0;
            var path = context.Request.Path.Value + context.Request.QueryString.Value;
            if (!token.Verify(device.TokenSecret, context.Request.Method, path, bodyHash))
            {
                return (null, $"device token refused: the signature does not match this request for device {token.DeviceId}.", StatusCodes.Status401Unauthorized, device.Id);
            }

            if (!replays.TryUse(token.DeviceId, token.Nonce))
            {
                return (null, "device token refused: this nonce was already used (a replayed request); sign every request afresh.", StatusCodes.Status401Unauthorized, device.Id);
            }
        }
        else
        {
            return (null, "a fleet client certificate or a signed device token (Authorization: Otter-Device …) is required; enroll first at /device/v1/enroll.", StatusCodes.Status401Unauthorized, null);
        }

        return (device, null, 0, null);
    }

    /// <summary>The chain check, once per TLS connection: later requests on it only check the dates.</summary>
    private (VerifiedClientCertificate? Certificate, string? Problem) VerifyCertificate(HttpContext context, X509Certificate2 certificate, DateTimeOffset now)
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items?[ConnectionKey] is VerifiedClientCertificate cached)
        {
            return now < cached.NotBefore || now > cached.NotAfter
                ? (null, $"client certificate refused: it expired or is not yet valid (valid {cached.NotBefore:u} to {cached.NotAfter:u}); enroll again to get a fleet certificate.")
                : (cached, null);
        }

        if (ChainValidator.Check(certificate, state.FleetAnchors, [], now) is { } chainProblem)
        {
            return (null, $"client certificate refused: {chainProblem}; enroll again to get a fleet certificate.");
        }

        if (!CertificateAuthority.AllowsClientAuth(certificate))
        {
            return (null, "client certificate refused: it is not for client authentication.");
        }

        var verified = new VerifiedClientCertificate(
            Convert.ToHexStringLower(SHA256.HashData(certificate.RawDataMemory.Span)),
            certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false),
            certificate.NotBefore.ToUniversalTime(),
            certificate.NotAfter.ToUniversalTime());
        if (items is not null)
        {
            items[ConnectionKey] = verified;
        }

        return (verified, null);
    }

    private async Task TooManyAsync(HttpContext context, int seconds, string who)
    {
        metrics.DeviceRefused(StatusCodes.Status429TooManyRequests);
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests", $"{who} is over its request rate; retry after {seconds} s.");
    }
}
