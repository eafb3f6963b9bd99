using System.Security.Cryptography;

namespace Otter.Protocol.Incidents;

/// <summary>Checks exported evidence: the bytes hash to the custody record's SHA-256 and carry the device key's signature.</summary>
public static class EvidenceVerifier
{
    /// <summary>Why <paramref name="bundle"/> is not the evidence <paramref name="custody"/> describes, or null when it is.</summary>
    /// <param name="bundle">The bundle bytes.</param>
    /// <param name="custody">The chain-of-custody record.</param>
    /// <param name="devicePublicKeyPem">The device key to verify with (the enrolled key from the device record); the custody record's key when null.</param>
    public static string? Check(ReadOnlySpan<byte> bundle, EvidenceView custody, string? devicePublicKeyPem = null)
    {
        ArgumentNullException.ThrowIfNull(custody);
        if (custody.ReceivedAt is null || custody.Sha256 is null || custody.Signature is null || custody.DevicePublicKey is null)
        {
            return $"evidence {custody.Id} has not been received yet.";
        }

        if (devicePublicKeyPem is not null && devicePublicKeyPem.Trim() != custody.DevicePublicKey.Trim())
        {
            return $"evidence {custody.Id} was verified on receipt with another key than device {custody.DeviceId}'s enrolled key.";
        }

        var digest = SHA256.HashData(bundle);
        byte[] expected;
        byte[] signature;
        try
        {
            expected = Convert.FromHexString(custody.Sha256);
            signature = Convert.FromBase64String(custody.Signature);
        }
        catch (FormatException)
        {
            return $"the custody record of evidence {custody.Id} is damaged (its hash or signature is not hex/base64).";
        }

        if (!CryptographicOperations.FixedTimeEquals(digest, expected))
        {
            return $"evidence {custody.Id}: the bundle's SHA-256 {Convert.ToHexStringLower(digest)} is not the {custody.Sha256} recorded on receipt; it was altered.";
        }

        return ForensicSignature.Verify(bundle, signature, custody.DevicePublicKey)
            ? null
            : $"evidence {custody.Id}: the signature does not verify with device {custody.DeviceId}'s key.";
    }
}
