using Otter.Ledger.Log;
using Otter.Ledger.Tiles;

namespace Otter.Ledger.Tests.TestSupport;

/// <summary>Checks a log directory's tiles, bundles and leaf index against the reference model.</summary>
public static class TileAssertions
{
    /// <summary>
    /// Every hash tile holds the hashes computed directly (level 0: leaf hashes; level L: the
    /// MTH of each 256^L-leaf subtree), every bundle decodes to the appended entries, every
    /// file belongs to a tree size the log published, every tile of the final size exists and
    /// the leaf index holds exactly one record per entry. Files that belong only to
    /// <paramref name="unpublishedSizes"/> (an append that failed before its checkpoint) are
    /// tolerated without a content check: no published size uses them.
    /// </summary>
    public static void MatchReference(string directory, LogBuilder model, IEnumerable<long>? unpublishedSizes = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var published = PathsOf(model.PublishedSizes);
        var tolerated = PathsOf(unpublishedSizes ?? []);
        var files = TileFile.ListAll(directory);
        foreach (var path in files)
        {
            if (!published.Contains(path))
            {
                Assert.True(tolerated.Contains(path), $"{path} belongs to no published tree size");
                continue;
            }

            var tile = TileFile.Parse(path);
            var bytes = File.ReadAllBytes(Path.Combine(directory, path));
            if (tile.IsEntryBundle)
            {
                var expected = model.Entries.Skip((int)(tile.Index * 256)).Take(tile.Width).ToList();
                Assert.Equal(expected, EntryBundles.Split(bytes, path));
            }
            else
            {
                Assert.True(ReferenceTiles.Expected(model.Reference, tile).AsSpan().SequenceEqual(bytes), $"{path} does not hold the directly computed hashes");
            }
        }

        var final = model.PublishedSizes[^1];
        foreach (var tile in ReferenceTiles.ForSize(final))
        {
            Assert.Contains(tile.ToPath(), files);
        }

        LeafIndexMatches(directory, model);
    }

    /// <summary>The leaf index holds exactly (leaf hash i, i) for every entry i, and nothing more.</summary>
    public static void LeafIndexMatches(string directory, LogBuilder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var index = File.ReadAllBytes(Path.Combine(directory, LogPaths.LeafIndex));
        Assert.Equal(model.Entries.Count * LogPaths.LeafIndexRecord, index.Length);
        for (var i = 0; i < model.Entries.Count; i++)
        {
            var record = index.AsSpan(i * LogPaths.LeafIndexRecord, LogPaths.LeafIndexRecord);
            Assert.True(record[..32].SequenceEqual(model.Reference.Leaves[i]), $"leaf index record {i} has another leaf hash");
            Assert.Equal(i, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(record[32..]));
        }
    }

    private static HashSet<string> PathsOf(IEnumerable<long> sizes)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var size in sizes)
        {
            foreach (var tile in ReferenceTiles.ForSize(size))
            {
                paths.Add(tile.ToPath());
            }

            for (long n = 0; n * 256 < size; n++)
            {
                paths.Add(new TileFile(true, -1, n, (int)Math.Min(256, size - (n * 256))).ToPath());
            }
        }

        return paths;
    }
}
