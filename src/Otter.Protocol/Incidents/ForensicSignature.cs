using System.Security.Cryptography;

namespace Otter.Protocol.Incidents;

/// <summary>Signing and checking forensic bundles: ECDSA P-256 with SHA-256 over the exact bundle bytes, DER signature.</summary>
public static class ForensicSignature
{
    /// <summary>The request header carrying the base64 signature.</summary>
    public const string Header = "Otter-Bundle-Signature";

    /// <summary>Signs <paramref name="bundle"/> with the device key.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> bundle, ECDsa deviceKey)
    {
        ArgumentNullException.ThrowIfNull(deviceKey);
        return deviceKey.SignData(bundle, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>Whether <paramref name="signature"/> is the device key's signature over <paramref name="bundle"/>; false for any malformed input.</summary>
    public static bool Verify(ReadOnlySpan<byte> bundle, ReadOnlySpan<byte> signature, string devicePublicKeyPem)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(devicePublicKeyPem);
            return key.KeySize == 256 && key.VerifyData(bundle, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return false;
        }
    }
}
