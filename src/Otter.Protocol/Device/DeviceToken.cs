using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Otter.Protocol.Device;

/// <summary>
/// Signed device tokens for devices without client certificates: the <c>Authorization</c> header
/// <c>Otter-Device id="…", ts="…", nonce="…", sig="…"</c>, where <c>sig</c> is base64
/// HMAC-SHA256 with the device's secret over <see cref="StringToSign"/>.
/// </summary>
public sealed record DeviceToken(string DeviceId, long Timestamp, string Nonce, byte[] Signature)
{
    /// <summary>The authorization scheme.</summary>
    public const string Scheme = "Otter-Device";

    /// <summary>The accepted clock difference either way.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(300);

    /// <summary>What is signed: the scheme version, device id, method, path and query, body SHA-256, timestamp and nonce, one per line.</summary>
    public static byte[] StringToSign(string deviceId, string method, string pathAndQuery, ReadOnlySpan<byte> bodySha256, long timestamp, string nonce) =>
        Encoding.UTF8.GetBytes(string.Join(
            '\n',
            "otter-device-token-v1",
            deviceId,
            method.ToUpperInvariant(),
            pathAndQuery,
            Convert.ToHexStringLower(bodySha256),
            timestamp.ToString(CultureInfo.InvariantCulture),
            nonce));

    /// <summary>Makes the header value for a request.</summary>
    public static string Create(string deviceId, ReadOnlySpan<byte> secret, string method, string pathAndQuery, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var timestamp = now.ToUnixTimeSeconds();
        var signature = HMACSHA256.HashData(secret, StringToSign(deviceId, method, pathAndQuery, SHA256.HashData(body), timestamp, nonce));
        return $"{Scheme} id=\"{deviceId}\", ts=\"{timestamp.ToString(CultureInfo.InvariantCulture)}\", nonce=\"{nonce}\", sig=\"{Convert.ToBase64String(signature)}\"";
    }

    /// <summary>Parses a header value; null when it is not a well-formed device token.</summary>
    public static DeviceToken? TryParse(string? header)
    {
        if (header is null || !header.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header[(Scheme.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || part.Length < equals + 3 || part[equals + 1] != '"' || part[^1] != '"' || !fields.TryAdd(part[..equals], part[(equals + 2)..^1]))
            {
                return null;
            }
        }

        if (fields.Count != 4
            || !fields.TryGetValue("id", out var id) || id.Length is 0 or > 128
            || !fields.TryGetValue("ts", out var ts) || !long.TryParse(ts, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || !fields.TryGetValue("nonce", out var nonce) || nonce.Length is < 16 or > 64 || !nonce.All(char.IsAsciiHexDigitLower)
            || !fields.TryGetValue("sig", out var sig))
        {
            return null;
        }

        var signature = new byte[32];
        return Convert.TryFromBase64String(sig, signature, out var written) && written == 32
            ? new DeviceToken(id, timestamp, nonce, signature)
            : null;
    }

    /// <summary>Whether the signature is right for this request, compared in fixed time.</summary>
    public bool Verify(ReadOnlySpan<byte> secret, string method, string pathAndQuery, ReadOnlySpan<byte> bodySha256)
    {
        var expected = HMACSHA256.HashData(secret, StringToSign(DeviceId, method, pathAndQuery, bodySha256, Timestamp, Nonce));
        return CryptographicOperations.FixedTimeEquals(expected, Signature);
    }
}
