using System.Globalization;
using Otter.Ledger.Merkle;
using Otter.Ledger.Storage;

namespace Otter.Ledger.Tiles;

/// <summary>
/// Reads Merkle Tree hashes from a tiles log as a remote client would: only from the tiles of a
/// published tree size. Any tree size up to the published one can be served, because every
/// hash an older tree needs sits in a full tile or in the published partial tile.
/// </summary>
public sealed class TileHashReader
{
    private readonly ILogReader _reader;
    private readonly Dictionary<string, byte[]> _tiles = new(StringComparer.Ordinal);

    /// <summary>Reads the tiles of the tree of <paramref name="publishedSize"/> leaves.</summary>
    public TileHashReader(ILogReader reader, long publishedSize)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(publishedSize);
        _reader = reader;
        PublishedSize = publishedSize;
    }

    /// <summary>The tree size whose tiles are read.</summary>
    public long PublishedSize { get; }

    /// <summary>The hash of the perfect subtree of 2^<paramref name="height"/> leaves at position <paramref name="index"/>.</summary>
    public async ValueTask<byte[]> NodeAsync(int height, long index, CancellationToken cancellationToken)
    {
        // index < size >> height is (index + 1) << height <= size without the shift overflowing.
        if (height < 0 || height > 62 || index < 0 || index >= (PublishedSize >> height))
        {
            throw new LedgerException($"the node at height {height}, index {index} is not in the tree of size {PublishedSize}.");
        }

        var level = height / TilePaths.TileHeight;
        var within = height % TilePaths.TileHeight;
        var first = index << within;
        var count = 1 << within;
        var tileIndex = first / TilePaths.TileWidth;
        var offset = (int)(first % TilePaths.TileWidth);
        var levelCount = PublishedSize >> (TilePaths.TileHeight * level);
        var width = (int)Math.Min(TilePaths.TileWidth, levelCount - (tileIndex * TilePaths.TileWidth));
        var tile = await TileAsync(level, tileIndex, width, cancellationToken);
        var hashes = tile.AsSpan(offset * MerkleHasher.HashSize, count * MerkleHasher.HashSize);
        if (count == 1)
        {
            return hashes.ToArray();
        }

        var result = new byte[MerkleHasher.HashSize];
        var scratch = new byte[count * MerkleHasher.HashSize];
        MerkleHasher.RootOfPerfectRun(hashes, count, scratch, result);
        return result;
    }

    /// <summary>
    /// The Merkle Tree Hash of leaves [<paramref name="start"/>, <paramref name="end"/>), where
    /// <paramref name="start"/> is a multiple of a power of two at least as large as the range
    /// (as in every range RFC 6962's proofs use).
    /// </summary>
    public async ValueTask<byte[]> RangeAsync(long start, long end, CancellationToken cancellationToken)
    {
        if (start < 0 || end <= start || end > PublishedSize)
        {
            throw new LedgerException($"the range [{start}, {end}) is not in the tree of size {PublishedSize}.");
        }

        var nodes = new List<byte[]>();
        var position = start;
        var remaining = end - start;
        for (var height = 62; height >= 0; height--)
        {
            if ((remaining & (1L << height)) != 0)
            {
                nodes.Add(await NodeAsync(height, position >> height, cancellationToken));
                position += 1L << height;
            }
        }

        var hash = nodes[^1];
        for (var i = nodes.Count - 2; i >= 0; i--)
        {
            hash = MerkleHasher.HashChildren(nodes[i], hash);
        }

        return hash;
    }

    /// <summary>The root of the tree of <paramref name="size"/> leaves (size at most the published size).</summary>
    public async ValueTask<byte[]> RootAsync(long size, CancellationToken cancellationToken) =>
        size == 0 ? MerkleHasher.EmptyRoot.ToArray() : await RangeAsync(0, size, cancellationToken);

    private async ValueTask<byte[]> TileAsync(int level, long index, int width, CancellationToken cancellationToken)
    {
        var path = TilePaths.Tile(level, index, width);
        if (_tiles.TryGetValue(path, out var cached))
        {
            return cached;
        }

        var bytes = await _reader.ReadAsync(path, cancellationToken)
            ?? throw new LedgerException($"tile {path} is missing from the log; it is needed for tree size {PublishedSize.ToString(CultureInfo.InvariantCulture)}.");
        if (bytes.Length != width * MerkleHasher.HashSize)
        {
            throw new LedgerException($"tile {path} is {bytes.Length} bytes where {width * MerkleHasher.HashSize} were expected; it is truncated or corrupt.");
        }

        _tiles[path] = bytes;
        return bytes;
    }
}
