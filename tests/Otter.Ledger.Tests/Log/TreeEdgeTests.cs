using Otter.Ledger.Log;
using Otter.Ledger.Tests.TestSupport;

namespace Otter.Ledger.Tests.Log;

public sealed class TreeEdgeTests
{
    private static readonly ReferenceMerkle Tree = new(Enumerable.Range(0, 70000).Select(i => ReferenceMerkle.LeafHash(BitConverter.GetBytes(i))));

    [Fact]
    public void Root_EmptyEdge_IsSha256OfNothing()
    {
        Assert.Equal(ReferenceMerkle.EmptyRoot(), TreeEdge.Empty.Root());
        Assert.Equal(0, TreeEdge.Empty.Size);
    }

    [Fact]
    public void Root_PartialTilesOfEverySmallSize_EqualsReferenceRoot()
    {
        for (var size = 1; size <= 600; size++)
        {
            Assert.Equal(Tree.Root(size), Edge(size).Root());
        }
    }

    [Theory]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(65537)]
    [InlineData(65539)]
    [InlineData(69999)]
    [InlineData(70000)]
    public void Root_PartialTilesOfLargeSize_EqualsReferenceRoot(int size)
    {
        Assert.Equal(Tree.Root(size), Edge(size).Root());
    }

    // The edge as the log keeps it: the rightmost partial tile of each level (empty where the
    // level's width is a multiple of 256), without trailing empty levels.
    private static TreeEdge Edge(long size)
    {
        var levels = new List<byte[]>();
        for (var level = 0; (size >> (8 * level)) > 0; level++)
        {
            var count = size >> (8 * level);
            var width = (int)(count % 256);
            levels.Add(width == 0 ? [] : ReferenceTiles.Expected(Tree, new TileFile(false, level, count / 256, width)));
        }

        while (levels.Count > 0 && levels[^1].Length == 0)
        {
            levels.RemoveAt(levels.Count - 1);
        }

        return new TreeEdge(size, levels, []);
    }
}
