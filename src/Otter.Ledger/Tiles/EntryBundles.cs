using System.Buffers.Binary;

namespace Otter.Ledger.Tiles;

/// <summary>Entry bundles: sequences of big-endian uint16 length-prefixed entries.</summary>
public static class EntryBundles
{
    /// <summary>Encodes <paramref name="entries"/> as a bundle.</summary>
    public static byte[] Join(IReadOnlyList<byte[]> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var bytes = new byte[entries.Sum(e => 2 + e.Length)];
        var offset = 0;
        foreach (var entry in entries)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offset), checked((ushort)entry.Length));
            entry.CopyTo(bytes, offset + 2);
            offset += 2 + entry.Length;
        }

        return bytes;
    }

    /// <summary>Decodes a bundle.</summary>
    /// <exception cref="LedgerException">The bundle is truncated.</exception>
    public static List<byte[]> Split(ReadOnlySpan<byte> bundle, string path)
    {
        var entries = new List<byte[]>();
        var offset = 0;
        while (offset < bundle.Length)
        {
            if (offset + 2 > bundle.Length)
            {
                throw new LedgerException($"entry bundle {path} is truncated (a length prefix is cut off).");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(bundle[offset..]);
            if (offset + 2 + length > bundle.Length)
            {
                throw new LedgerException($"entry bundle {path} is truncated (an entry is cut off).");
            }

            entries.Add(bundle.Slice(offset + 2, length).ToArray());
            offset += 2 + length;
        }

        return entries;
    }
}
