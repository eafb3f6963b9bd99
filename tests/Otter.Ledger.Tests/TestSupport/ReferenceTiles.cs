namespace Otter.Ledger.Tests.TestSupport;

/// <summary>
/// The C2SP tlog-tiles hash tiles of a tree, computed from the specification and the reference
/// model alone: the level-L tile N holds the hashes of the perfect subtrees of 256^L leaves
/// numbered 256N to 256N + W - 1, where W is 256 for a full tile and (size &gt;&gt; 8L) mod 256 for
/// the rightmost, partial one.
/// </summary>
public static class ReferenceTiles
{
    /// <summary>The hash of the level-<paramref name="level"/> node <paramref name="index"/>: the MTH of 256^level leaves.</summary>
    public static byte[] NodeHash(ReferenceMerkle tree, int level, long index)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var span = 1L << (8 * level);
        return tree.Mth(index * span, span);
    }

    /// <summary>The expected bytes of the hash tile <paramref name="tile"/>.</summary>
    public static byte[] Expected(ReferenceMerkle tree, TileFile tile)
    {
        ArgumentNullException.ThrowIfNull(tile);
        var bytes = new byte[tile.Width * 32];
        for (var i = 0; i < tile.Width; i++)
        {
            NodeHash(tree, tile.Level, (tile.Index * 256) + i).CopyTo(bytes, i * 32);
        }

        return bytes;
    }

    /// <summary>The hash tiles a reader needs for the tree of <paramref name="size"/> leaves (every full tile and the partial ones of that size).</summary>
    public static List<TileFile> ForSize(long size)
    {
        var tiles = new List<TileFile>();
        for (var level = 0; (size >> (8 * level)) > 0; level++)
        {
            var count = size >> (8 * level);
            for (long n = 0; n < count / 256; n++)
            {
                tiles.Add(new TileFile(false, level, n, 256));
            }

            if (count % 256 != 0)
            {
                tiles.Add(new TileFile(false, level, count / 256, (int)(count % 256)));
            }
        }

        return tiles;
    }

    /// <summary>Path to bytes of every hash tile of the tree of <paramref name="size"/> leaves.</summary>
    public static Dictionary<string, byte[]> Files(ReferenceMerkle tree, long size) =>
        ForSize(size).ToDictionary(t => t.ToPath(), t => Expected(tree, t), StringComparer.Ordinal);
}
