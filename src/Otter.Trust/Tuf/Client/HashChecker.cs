using System.Security.Cryptography;

namespace Otter.Trust.Tuf.Client;

/// <summary>Checks lengths and hashes promised by metadata, comparing digests in constant time.</summary>
internal static class HashChecker
{
    /// <summary>The hash algorithms the client can check, by their TUF names.</summary>
    public static bool TryGetAlgorithm(string name, out HashAlgorithmName algorithm)
    {
        switch (name)
        {
            case "sha256":
                algorithm = HashAlgorithmName.SHA256;
                return true;
            case "sha512":
                algorithm = HashAlgorithmName.SHA512;
                return true;
            default:
                algorithm = default;
                return false;
        }
    }

    /// <summary>
    /// The hashes of <paramref name="hashes"/> the client can check, decoded. Unknown
    /// algorithms are skipped; when none is left the file cannot be verified.
    /// </summary>
    /// <exception cref="LengthOrHashMismatchException">No usable hash, or a hash that is not hex.</exception>
    public static List<(string Name, HashAlgorithmName Algorithm, byte[] Expected)> Checkable(
        IReadOnlyDictionary<string, string> hashes, string fileName, string listedBy)
    {
        var result = new List<(string, HashAlgorithmName, byte[])>();
        foreach (var (name, hex) in hashes.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            if (!TryGetAlgorithm(name, out var algorithm))
            {
                continue;
            }

            byte[] expected;
            try
            {
                expected = Convert.FromHexString(hex);
            }
            catch (FormatException ex)
            {
                throw new LengthOrHashMismatchException($"{listedBy} gives {fileName} a {name} hash that is not hex (\"{hex}\"); it cannot be verified, so it was not trusted.", ex);
            }

            var size = algorithm == HashAlgorithmName.SHA256 ? SHA256.HashSizeInBytes : SHA512.HashSizeInBytes;
            if (expected.Length != size)
            {
                throw new LengthOrHashMismatchException($"{listedBy} gives {fileName} a {name} hash of {expected.Length} bytes where {size} are expected; it cannot be verified, so it was not trusted.");
            }

            result.Add((name, algorithm, expected));
        }

        if (result.Count == 0)
        {
            var names = string.Join(", ", hashes.Keys.OrderBy(k => k, StringComparer.Ordinal));
            throw new LengthOrHashMismatchException(
                $"{listedBy} gives {fileName} only hashes Otter cannot check ({names}); it cannot be verified, so it was not trusted. The repository must list a sha256 or sha512 hash.");
        }

        return result;
    }

    /// <summary>Checks <paramref name="data"/> against the length and hashes its parent metadata gives it.</summary>
    /// <exception cref="LengthOrHashMismatchException">The length or a hash differs.</exception>
    public static void VerifyMetaFile(ReadOnlySpan<byte> data, MetaFile meta, string fileName, string listedBy)
    {
        if (meta.Length is { } length && data.Length != length)
        {
            throw new LengthOrHashMismatchException(
                $"{fileName} is {data.Length} bytes but {listedBy} says it is {length}; it was not trusted (a corrupted download or metadata that does not belong together).");
        }

        if (meta.Hashes is { } hashes)
        {
            Span<byte> actual = stackalloc byte[SHA512.HashSizeInBytes];
            foreach (var (name, algorithm, expected) in Checkable(hashes, fileName, listedBy))
            {
                var written = CryptographicOperations.HashData(algorithm, data, actual);
                if (!CryptographicOperations.FixedTimeEquals(actual[..written], expected))
                {
                    throw new LengthOrHashMismatchException(
                        $"{fileName} does not have the {name} hash {listedBy} gives it; it was not trusted (a corrupted download or metadata that does not belong together).");
                }
            }
        }
    }

    /// <summary>Whether <paramref name="data"/> matches <paramref name="meta"/>; never throws.</summary>
    public static bool MatchesMetaFile(ReadOnlySpan<byte> data, MetaFile meta)
    {
        try
        {
            VerifyMetaFile(data, meta, "file", "parent");
            return true;
        }
        catch (LengthOrHashMismatchException)
        {
            return false;
        }
    }
}
