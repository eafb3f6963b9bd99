using Otter.Trust.Keys;

namespace Otter.Trust.Tuf;

/// <summary>Counts valid signatures toward a role's threshold.</summary>
public static class ThresholdVerifier
{
    /// <summary>
    /// The number of distinct trusted keys with a valid signature over <paramref name="canonicalSigned"/>.
    /// A key id listed twice, two signatures from one key id, or one key listed under two key
    /// ids all count once.
    /// </summary>
    public static int CountValidSignatures(
        ReadOnlySpan<byte> canonicalSigned,
        IReadOnlyList<TufSignature> signatures,
        IReadOnlyList<string> roleKeyIds,
        IReadOnlyDictionary<string, TufKey> keys)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        ArgumentNullException.ThrowIfNull(roleKeyIds);
        ArgumentNullException.ThrowIfNull(keys);
        var trusted = new HashSet<string>(roleKeyIds, StringComparer.Ordinal);
        var usedKeyIds = new HashSet<string>(StringComparer.Ordinal);
        var usedKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var signature in signatures)
        {
            if (!trusted.Contains(signature.KeyId) || usedKeyIds.Contains(signature.KeyId) || !keys.TryGetValue(signature.KeyId, out var key))
            {
                continue;
            }

            var material = SignatureVerifier.KeyMaterialId(key);
            if (material is null || usedKeys.Contains(material))
            {
                continue;
            }

            if (SignatureVerifier.Verify(key, canonicalSigned, signature.Signature))
            {
                usedKeyIds.Add(signature.KeyId);
                usedKeys.Add(material);
            }
        }

        return usedKeys.Count;
    }

    /// <summary>Throws unless a threshold of the role's keys signed <paramref name="metadata"/>.</summary>
    /// <exception cref="UnsignedMetadataException">Fewer valid signatures than the threshold.</exception>
    public static void Verify<T>(Metadata<T> metadata, string fileName, string role, IReadOnlyList<string> roleKeyIds, int threshold, IReadOnlyDictionary<string, TufKey> keys)
        where T : SignedMetadata
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var count = CountValidSignatures(metadata.CanonicalSigned.Span, metadata.Signatures, roleKeyIds, keys);
        if (count < threshold)
        {
            var unsupported = roleKeyIds.Where(id => keys.TryGetValue(id, out var k) && !k.IsSupported).ToList();
            var hint = unsupported.Count > 0
                ? $" ({unsupported.Count} of the role's keys have a key type Otter cannot verify; Otter uses ECDSA P-256)"
                : string.Empty;
            throw new UnsignedMetadataException(
                $"{fileName} has {count} valid signature(s) from {role} keys, {threshold} needed{hint}; it was not trusted.");
        }
    }
}
