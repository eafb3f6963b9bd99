using Otter.Ledger.Tests.TestSupport;
using Otter.Ledger.Tiles;

namespace Otter.Ledger.Tests.Tiles;

public sealed class TilePathsTests
{
    [Theory]
    [InlineData(0L, "000")]
    [InlineData(5L, "005")]
    [InlineData(42L, "042")]
    [InlineData(999L, "999")]
    [InlineData(1000L, "x001/000")]
    [InlineData(1234067L, "x001/x234/067")]
    [InlineData(1000000L, "x001/x000/000")]
    [InlineData(999999999L, "x999/x999/999")]
    public void EncodeIndex_Index_ThreeDigitGroupsWithXPrefixes(long index, string expected)
    {
        Assert.Equal(expected, TilePaths.EncodeIndex(index));
    }

    [Fact]
    public void EncodeIndex_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePaths.EncodeIndex(-1));
    }

    [Theory]
    [InlineData(0, 0L, 256, "tile/0/000")]
    [InlineData(0, 0L, 1, "tile/0/000.p/1")]
    [InlineData(0, 273L, 112, "tile/0/273.p/112")]
    [InlineData(1, 1L, 17, "tile/1/001.p/17")]
    [InlineData(2, 1234067L, 256, "tile/2/x001/x234/067")]
    [InlineData(3, 1234067L, 255, "tile/3/x001/x234/067.p/255")]
    public void Tile_LevelIndexWidth_C2spPath(int level, long index, int width, string expected)
    {
        Assert.Equal(expected, TilePaths.Tile(level, index, width));
    }

    [Theory]
    [InlineData(0L, 256, "tile/entries/000")]
    [InlineData(3L, 112, "tile/entries/003.p/112")]
    [InlineData(1000L, 256, "tile/entries/x001/000")]
    [InlineData(1234067L, 9, "tile/entries/x001/x234/067.p/9")]
    public void EntryBundle_IndexWidth_C2spPath(long index, int width, string expected)
    {
        Assert.Equal(expected, TilePaths.EntryBundle(index, width));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(257)]
    public void Tile_WidthOutOfRange_Throws(int width)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePaths.Tile(0, 0, width));
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePaths.EntryBundle(0, width));
    }

    [Theory]
    [InlineData(70000L, 0, 112)]
    [InlineData(70000L, 1, 17)]
    [InlineData(70000L, 2, 1)]
    [InlineData(70000L, 3, 0)]
    [InlineData(256L, 0, 0)]
    [InlineData(256L, 1, 1)]
    [InlineData(65539L, 0, 3)]
    [InlineData(65539L, 1, 0)]
    [InlineData(65539L, 2, 1)]
    public void PartialWidth_SizeAndLevel_MatchesC2sp(long size, int level, int expected)
    {
        Assert.Equal(expected, TilePaths.PartialWidth(level, size));
    }

    [Fact]
    public void Tile_RandomTiles_ParseBackToTheSameTile()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var level = random.Next(6);
            var index = random.NextInt64(0, 10_000_000_000);
            var width = random.Next(1, 257);

            var parsed = TileFile.Parse(TilePaths.Tile(level, index, width));
            var bundle = TileFile.Parse(TilePaths.EntryBundle(index, width));

            Assert.Equal(new TileFile(false, level, index, width), parsed);
            Assert.Equal(new TileFile(true, -1, index, width), bundle);
        }
    }
}
