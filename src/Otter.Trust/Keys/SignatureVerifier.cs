using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Otter.Trust.Keys;

/// <summary>Verifies hex DER ECDSA P-256 signatures against TUF keys.</summary>
public static class SignatureVerifier
{
    private const int CacheLimit = 1024;
    private static readonly ConcurrentDictionary<string, ImportedKey?> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether <paramref name="signatureHex"/> is a valid signature of <paramref name="data"/>
    /// by <paramref name="key"/>. Never throws for bad input: a key Otter cannot use, malformed
    /// hex or a malformed signature simply does not verify.
    /// </summary>
    public static bool Verify(TufKey key, ReadOnlySpan<byte> data, string signatureHex)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.IsSupported || string.IsNullOrEmpty(signatureHex) || signatureHex.Length % 2 != 0 || signatureHex.Length > 512)
        {
            return false;
        }

        var ecdsa = GetPublicKey(key.KeyValue.Public)?.Key;
        if (ecdsa is null)
        {
            return false;
        }

        Span<byte> signature = stackalloc byte[signatureHex.Length / 2];
        if (Convert.FromHexString(signatureHex, signature, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        try
        {
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// A stable identity for the key material, so that one key listed under two key ids is
    /// still one key when signatures are counted toward a threshold. Null when unusable.
    /// </summary>
    public static string? KeyMaterialId(TufKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.IsSupported)
        {
            return null;
        }

        return GetPublicKey(key.KeyValue.Public)?.MaterialId;
    }

    private static ImportedKey? GetPublicKey(string pem)
    {
        if (Cache.TryGetValue(pem, out var cached))
        {
            return cached;
        }

        if (Cache.Count >= CacheLimit)
        {
            // Keys from untrusted metadata must not grow memory without bound; imported keys
            // are cheap to rebuild, so the cache is simply started over.
            Cache.Clear();
        }

        return Cache.GetOrAdd(pem, static p => EcdsaP256.TryImportPublic(p) is { } key
            ? new ImportedKey(key, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()))
            : null);
    }

    private sealed record ImportedKey(ECDsa Key, string MaterialId);
}
