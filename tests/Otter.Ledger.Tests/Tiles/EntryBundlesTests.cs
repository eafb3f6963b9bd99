using Otter.Ledger.Tiles;

namespace Otter.Ledger.Tests.Tiles;

public sealed class EntryBundlesTests
{
    [Fact]
    public void Join_Entries_BigEndianUInt16LengthPrefixes()
    {
        var bundle = EntryBundles.Join([[0x01, 0x02], [], [0xff]]);

        Assert.Equal(new byte[] { 0x00, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0xff }, bundle);
    }

    [Fact]
    public void Split_JoinedEntries_RoundTrips()
    {
        var random = new Random(1);
        List<byte[]> entries = [[], new byte[ushort.MaxValue], new byte[256], [0x00]];
        for (var i = 0; i < 200; i++)
        {
            var entry = new byte[random.Next(300)];
            random.NextBytes(entry);
            entries.Add(entry);
        }

        var split = EntryBundles.Split(EntryBundles.Join(entries), "tile/entries/000");

        Assert.Equal(entries, split);
    }

    [Fact]
    public void Split_Empty_NoEntries()
    {
        Assert.Empty(EntryBundles.Split([], "tile/entries/000.p/1"));
    }

    [Fact]
    public void Split_LengthPrefixCutOff_ThrowsNamingTheBundle()
    {
        var bundle = EntryBundles.Join([[1, 2, 3], [4]]);

        var ex = Assert.Throws<LedgerException>(() => EntryBundles.Split(bundle.AsSpan(0, 6), "tile/entries/007.p/2"));

        Assert.Contains("tile/entries/007.p/2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("length prefix", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_EntryCutOff_ThrowsNamingTheBundle()
    {
        var bundle = EntryBundles.Join([[1, 2, 3], [4, 5]]);

        for (var cut = 1; cut < bundle.Length; cut++)
        {
            if (cut is 5)
            {
                continue; // exactly the first entry: a valid bundle of one
            }

            var ex = Assert.Throws<LedgerException>(() => EntryBundles.Split(bundle.AsSpan(0, cut), "tile/entries/x001/000"));
            Assert.Contains("tile/entries/x001/000", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Join_EntryOver65535Bytes_Throws()
    {
        Assert.Throws<OverflowException>(() => EntryBundles.Join([new byte[ushort.MaxValue + 1]]));
    }
}
