using Otter.Ledger.Tests.TestSupport;
using Otter.Ledger.Tiles;

namespace Otter.Ledger.Tests.Tiles;

/// <summary>TileHashReader over tiles computed from the specification (not by the log writer).</summary>
public sealed class TileHashReaderTests
{
    private static ReferenceMerkle Tree(int size)
    {
        var random = new Random(size);
        return new ReferenceMerkle(Enumerable.Range(0, size).Select(_ =>
        {
            var entry = new byte[16];
            random.NextBytes(entry);
            return ReferenceMerkle.LeafHash(entry);
        }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(600)]
    public async Task RootAsync_EverySizeUpToPublished_EqualsReferenceRoot(int published)
    {
        var tree = Tree(published);
        var reader = new TileHashReader(new MemoryLogReader(ReferenceTiles.Files(tree, published)), published);

        for (var size = 0; size <= published; size++)
        {
            Assert.Equal(tree.Root(size), await reader.RootAsync(size, CancellationToken.None));
        }
    }

    [Fact]
    public async Task RootAsync_LargeTreeSampledSizes_EqualsReferenceRoot()
    {
        const int published = 70000;
        var tree = Tree(published);
        var reader = new TileHashReader(new MemoryLogReader(ReferenceTiles.Files(tree, published)), published);
        var random = new Random(3);

        foreach (var size in new long[] { 1, 255, 256, 257, 65535, 65536, 65537, 69999, 70000 }.Concat(Enumerable.Range(0, 40).Select(_ => random.NextInt64(1, published + 1))))
        {
            Assert.Equal(tree.Root(size), await reader.RootAsync(size, CancellationToken.None));
        }
    }

    [Fact]
    public async Task NodeAsync_EveryHeightWithinTree_EqualsReferenceSubtree()
    {
        const int published = 70000;
        var tree = Tree(published);
        var reader = new TileHashReader(new MemoryLogReader(ReferenceTiles.Files(tree, published)), published);
        var random = new Random(5);

        for (var height = 0; (1L << height) <= published; height++)
        {
            var nodes = published >> height;
            foreach (var index in new[] { 0, nodes - 1, random.NextInt64(nodes) })
            {
                Assert.Equal(tree.Mth(index << height, 1L << height), await reader.NodeAsync(height, index, CancellationToken.None));
            }
        }
    }

    [Theory]
    [InlineData(0, 300L)]
    [InlineData(1, 150L)]
    [InlineData(9, 0L)]
    [InlineData(0, -1L)]
    [InlineData(-1, 0L)]
    [InlineData(63, 0L)]
    [InlineData(62, 3L)]
    [InlineData(60, 16L)]
    public async Task NodeAsync_OutsideTree_ThrowsLedgerException(int height, long index)
    {
        var tree = Tree(300);
        var reader = new TileHashReader(new MemoryLogReader(ReferenceTiles.Files(tree, 300)), 300);

        await Assert.ThrowsAsync<LedgerException>(async () => await reader.NodeAsync(height, index, CancellationToken.None));
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(5L, 4L)]
    [InlineData(0L, 301L)]
    [InlineData(-1L, 3L)]
    public async Task RangeAsync_EmptyOrOutsideTree_ThrowsLedgerException(long start, long end)
    {
        var tree = Tree(300);
        var reader = new TileHashReader(new MemoryLogReader(ReferenceTiles.Files(tree, 300)), 300);

        await Assert.ThrowsAsync<LedgerException>(async () => await reader.RangeAsync(start, end, CancellationToken.None));
    }

    [Fact]
    public async Task RootAsync_SizeBeyondPublished_ThrowsLedgerException()
    {
        var tree = Tree(300);
        var reader = new TileHashReader(new MemoryLogReader(ReferenceTiles.Files(tree, 300)), 300);

        await Assert.ThrowsAsync<LedgerException>(async () => await reader.RootAsync(301, CancellationToken.None));
    }

    [Theory]
    [InlineData("tile/0/001.p/44")]
    [InlineData("tile/0/000")]
    [InlineData("tile/1/000.p/1")]
    public async Task NodeAsync_TruncatedTile_ThrowsNamingTheTile(string path)
    {
        var tree = Tree(300);
        var files = ReferenceTiles.Files(tree, 300);
        files[path] = files[path][..^1];
        var reader = new TileHashReader(new MemoryLogReader(files), 300);

        var ex = await Assert.ThrowsAsync<LedgerException>(async () =>
        {
            await reader.NodeAsync(8, 0, CancellationToken.None);
            for (var i = 0; i < 300; i++)
            {
                await reader.NodeAsync(0, i, CancellationToken.None);
            }
        });

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated or corrupt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootAsync_MissingTile_ThrowsNamingTheTile()
    {
        var tree = Tree(300);
        var files = ReferenceTiles.Files(tree, 300);
        files.Remove("tile/0/001.p/44");
        var reader = new TileHashReader(new MemoryLogReader(files), 300);

        var ex = await Assert.ThrowsAsync<LedgerException>(async () => await reader.RootAsync(300, CancellationToken.None));

        Assert.Contains("tile/0/001.p/44", ex.Message, StringComparison.Ordinal);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootAsync_OlderSize_ReadsOnlyTilesOfThePublishedSize()
    {
        var tree = Tree(600);
        var files = ReferenceTiles.Files(tree, 600);
        var storage = new MemoryLogReader(files);
        var reader = new TileHashReader(storage, 600);

        Assert.Equal(tree.Root(300), await reader.RootAsync(300, CancellationToken.None));
        Assert.All(storage.Reads, path => Assert.True(files.ContainsKey(path), path));
        Assert.Contains("tile/0/001", storage.Reads); // leaves 256..299 come from the full tile, not a .p/44 tile
        Assert.Contains("tile/1/000.p/2", storage.Reads);
    }

    [Fact]
    public async Task NodeAsync_SameTileTwice_ReadsItOnce()
    {
        var tree = Tree(600);
        var storage = new MemoryLogReader(ReferenceTiles.Files(tree, 600));
        var reader = new TileHashReader(storage, 600);

        await reader.NodeAsync(0, 3, CancellationToken.None);
        await reader.NodeAsync(0, 4, CancellationToken.None);

        Assert.Single(storage.Reads);
    }

    [Fact]
    public void Constructor_NegativeSize_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileHashReader(new MemoryLogReader(new Dictionary<string, byte[]>()), -1));
    }
}
