using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Otter.Protocol.Alerts;

/// <summary>
/// The webhook signature header <c>X-Otter-Signature: t=UNIX,v1=HEX</c>: HMAC-SHA256 with the
/// sink's secret over <c>"{t}.{body}"</c>. Receivers check it and the timestamp's age.
/// </summary>
public static class AlertSignature
{
    /// <summary>The header name.</summary>
    public const string Header = "X-Otter-Signature";

    /// <summary>The header value for <paramref name="body"/> sent at <paramref name="now"/>.</summary>
    public static string Create(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={timestamp},v1={Convert.ToHexStringLower(Mac(secret, timestamp, body))}";
    }

    /// <summary>Whether <paramref name="header"/> signs <paramref name="body"/> with <paramref name="secret"/> and is at most <paramref name="tolerance"/> old.</summary>
    public static bool Verify(string? header, ReadOnlySpan<byte> body, ReadOnlySpan<byte> secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (header is null)
        {
            return false;
        }

        string? timestamp = null;
        string? signature = null;
        foreach (var part in header.Split(','))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal))
            {
                timestamp = part[2..];
            }
            else if (part.StartsWith("v1=", StringComparison.Ordinal))
            {
                signature = part[3..];
            }
        }

        if (timestamp is null || signature is null || signature.Length != 64 || !signature.All(char.IsAsciiHexDigitLower)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Mac(secret, timestamp, body), Convert.FromHexString(signature));
    }

    private static byte[] Mac(ReadOnlySpan<byte> secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return HMACSHA256.HashData(secret, message);
    }
}
