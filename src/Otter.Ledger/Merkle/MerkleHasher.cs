using System.Security.Cryptography;

namespace Otter.Ledger.Merkle;

/// <summary>RFC 6962 / RFC 9162 hashing with SHA-256.</summary>
public static class MerkleHasher
{
    /// <summary>Bytes in a hash.</summary>
    public const int HashSize = 32;

    /// <summary>The root of the empty tree: SHA-256 of nothing.</summary>
    public static ReadOnlySpan<byte> EmptyRoot =>
    [
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
        0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
    ];

    /// <summary>SHA-256(0x00 || entry).</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> entry)
    {
        var hash = new byte[HashSize];
        HashLeaf(entry, hash);
        return hash;
    }

    /// <summary>Writes SHA-256(0x00 || entry) to <paramref name="destination"/>.</summary>
    public static void HashLeaf(ReadOnlySpan<byte> entry, Span<byte> destination)
    {
        if (entry.Length < 1024)
        {
            Span<byte> buffer = stackalloc byte[entry.Length + 1];
            buffer[0] = 0x00;
            entry.CopyTo(buffer[1..]);
            SHA256.HashData(buffer, destination);
            return;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x00]);
        hash.AppendData(entry);
        hash.GetHashAndReset(destination);
    }

    /// <summary>SHA-256(0x01 || left || right).</summary>
    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[HashSize];
        HashChildren(left, right, hash);
        return hash;
    }

    /// <summary>Writes SHA-256(0x01 || left || right) to <paramref name="destination"/>.</summary>
    public static void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> buffer = stackalloc byte[1 + (2 * HashSize)];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        SHA256.HashData(buffer, destination);
    }

    /// <summary>
    /// The Merkle Tree Hash of a power-of-two-sized run of consecutive sibling hashes (for
    /// example the hashes of a tile), folded in place in <paramref name="scratch"/>.
    /// </summary>
    internal static void RootOfPerfectRun(ReadOnlySpan<byte> hashes, int count, Span<byte> scratch, Span<byte> destination)
    {
        hashes[..(count * HashSize)].CopyTo(scratch);
        for (var width = count; width > 1; width /= 2)
        {
            for (var i = 0; i < width / 2; i++)
            {
                HashChildren(scratch.Slice(2 * i * HashSize, HashSize), scratch.Slice(((2 * i) + 1) * HashSize, HashSize), scratch.Slice(i * HashSize, HashSize));
            }
        }

        scratch[..HashSize].CopyTo(destination);
    }
}
