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
    DeviceLookup devices)
{
    public const string DeviceKey = "otter.device";
    public const string Prefix = "/device/v1";
    private const string ConnectionKey = "otter.verified-client-certificate";

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
            size.MaxRequestBodySize = state.Settings.DeviceBodyLimit;
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

        var (device, problem, status) = await AuthenticateAsync(context);
        if (device is null)
        {
            if (limiter.TryAcquire("ip:" + context.Connection.RemoteIpAddress) is { } wait)
            {
                await TooManyAsync(context, wait, "address " + context.Connection.RemoteIpAddress);
                return;
            }

            metrics.DeviceRefused(status);
            await Problems.WriteAsync(context, status, status switch { StatusCodes.Status401Unauthorized => "Unauthorized", StatusCodes.Status413PayloadTooLarge => "Payload too large", _ => "Forbidden" }, problem!);
            return;
        }

        if (limiter.TryAcquire("device:" + device.Id) is { } retry)
        {
            await TooManyAsync(context, retry, "device " + device.Id);
            return;
        }

        context.Items[DeviceKey] = device;
        await next(context);
    }

    private async Task<(DeviceRow? Device, string? Problem, int Status)> AuthenticateAsync(HttpContext context)
    {
        var now = time.GetUtcNow();
        var certificate = context.Connection.ClientCertificate;
        DeviceRow? device;
        if (certificate is not null)
        {
            var verified = VerifyCertificate(context, certificate, now);
            if (verified.Problem is not null)
            {
                return (null, verified.Problem, StatusCodes.Status401Unauthorized);
            }

            device = await devices.FindAsync(verified.Certificate!.DeviceId, context.RequestAborted);
            if (device?.CertificateSha256 is null
                || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(device.CertificateSha256), Convert.FromHexString(verified.Certificate!.Sha256)))
            {
                return (null, $"client certificate refused: it is not the current certificate of device {verified.Certificate!.DeviceId} (replaced, revoked or never issued).", StatusCodes.Status401Unauthorized);
            }
        }
        else if (DeviceToken.TryParse(context.Request.Headers.Authorization) is { } token)
        {
            var skew = Math.Abs(now.ToUnixTimeSeconds() - token.Timestamp);
            if (skew > DeviceToken.Window.TotalSeconds)
            {
                return (null, $"device token refused: its timestamp is {skew} s away from the server's clock (at most {DeviceToken.Window.TotalSeconds} s); fix the device clock and sign a new request.", StatusCodes.Status401Unauthorized);
            }

            device = await devices.FindAsync(token.DeviceId, context.RequestAborted);
            if (device?.TokenSecret is null)
            {
                return (null, $"device token refused: no device {token.DeviceId} with a token secret.", StatusCodes.Status401Unauthorized);
            }

            context.Request.EnableBuffering();
            byte[] bodyHash;
            try
            {
                bodyHash = await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return (null, $"the body is larger than the {state.Settings.DeviceBodyLimit} bytes the device API accepts.", StatusCodes.Status413PayloadTooLarge);
            }

            context.Request.Body.Position = 0;
            var path = context.Request.Path.Value + context.Request.QueryString.Value;
            if (!token.Verify(device.TokenSecret, context.Request.Method, path, bodyHash))
            {
                return (null, $"device token refused: the signature does not match this request for device {token.DeviceId}.", StatusCodes.Status401Unauthorized);
            }

            if (!replays.TryUse(token.DeviceId, token.Nonce))
            {
                return (null, "device token refused: this nonce was already used (a replayed request); sign every request afresh.", StatusCodes.Status401Unauthorized);
            }
        }
        else
        {
            return (null, "a fleet client certificate or a signed device token (Authorization: Otter-Device …) is required; enroll first at /device/v1/enroll.", StatusCodes.Status401Unauthorized);
        }

        writeBehind.Overlay(device);
        return device.Status switch
        {
            DeviceStatuses.Approved => (device, null, 0),
            DeviceStatuses.Pending => (null, $"device {device.Id} waits for an operator's approval (`otter device approve {device.Id}`).", StatusCodes.Status403Forbidden),
            DeviceStatuses.Quarantined => (null, $"device {device.Id} is quarantined; only remediation is allowed.", StatusCodes.Status403Forbidden),
            _ => (null, $"device {device.Id} is {device.Status}; its credentials no longer work.", StatusCodes.Status403Forbidden),
        };
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
