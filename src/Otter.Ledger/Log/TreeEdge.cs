using Otter.Ledger.Merkle;
using Otter.Ledger.Tiles;

namespace Otter.Ledger.Log;

/// <summary>
/// The right edge of the tree: the hashes of the partial tile at each level and the entries
/// of the partial bundle. Everything an append needs; immutable, so a failed append leaves
/// the log's state untouched.
/// </summary>
internal sealed record TreeEdge(long Size, IReadOnlyList<byte[]> PartialTiles, IReadOnlyList<byte[]> PartialBundle)
{
    public static TreeEdge Empty { get; } = new(0, [], []);

    /// <summary>The root hash of the tree.</summary>
    public byte[] Root()
    {
        if (Size == 0)
        {
            return MerkleHasher.EmptyRoot.ToArray();
        }

        // Each partial tile holds the perfect subtrees of its level; their binary decomposition,
        // highest level first, is the decomposition of the tree size.
        var subtrees = new List<byte[]>();
        for (var level = PartialTiles.Count - 1; level >= 0; level--)
        {
            var hashes = PartialTiles[level];
            var width = hashes.Length / MerkleHasher.HashSize;
            var offset = 0;
            for (var bit = TilePaths.TileHeight - 1; bit >= 0; bit--)
            {
                var count = 1 << bit;
                if ((width & count) == 0)
                {
                    continue;
                }

                var hash = new byte[MerkleHasher.HashSize];
                var scratch = new byte[count * MerkleHasher.HashSize];
                MerkleHasher.RootOfPerfectRun(hashes.AsSpan(offset * MerkleHasher.HashSize), count, scratch, hash);
                subtrees.Add(hash);
                offset += count;
            }
        }

        var root = subtrees[^1];
        for (var i = subtrees.Count - 2; i >= 0; i--)
        {
            root = MerkleHasher.HashChildren(subtrees[i], root);
        }

        return root;
    }
}
