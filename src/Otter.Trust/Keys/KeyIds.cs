using System.Security.Cryptography;
using System.Text.Json;
using Otter.Trust.Json;
using Otter.Trust.Tuf;

namespace Otter.Trust.Keys;

/// <summary>Computes TUF key ids.</summary>
public static class KeyIds
{
    /// <summary>
    /// The key id of <paramref name="key"/>: lower-case hex SHA-256 of the canonical JSON of
    /// <c>{"keytype", "scheme", "keyval"}</c>, as securesystemslib computes it.
    /// </summary>
    public static string Compute(TufKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bare = key with { UnrecognizedFields = null };
        var element = JsonSerializer.SerializeToElement(bare, TufJsonContext.Default.TufKey);
        return Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Serialize(element)));
    }
}
