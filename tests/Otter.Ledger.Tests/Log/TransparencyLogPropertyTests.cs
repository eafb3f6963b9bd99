using System.Text;
using Otter.Ledger.Log;
using Otter.Ledger.Notes;
using Otter.Ledger.Storage;
using Otter.Ledger.Tests.TestSupport;

namespace Otter.Ledger.Tests.Log;

/// <summary>
/// Logs built through <see cref="TransparencyLog"/> with random batch splits, checked against
/// RFC 6962 computed directly (the reference model) and the C2SP tlog-tiles layout.
/// </summary>
public sealed class TransparencyLogPropertyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public static TheoryData<int> Sizes => new() { 1, 255, 256, 257, 3000, 65539, 70000 };

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task AppendAsync_RandomBatches_EveryCheckpointIsTheReferenceRoot(int size)
    {
        var builder = new LogBuilder(new Random(size));
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using (signer)
        using (log)
        {
            foreach (var batch in builder.RandomBatches(size))
            {
                var entries = builder.NewEntries(builder.Entries.Count, batch);
                var start = log.Size;

                var result = await builder.AppendAsync(log, entries);

                Assert.Equal(start, result.FirstIndex);
                Assert.Equal(entries.Select(ReferenceMerkle.LeafHash), result.LeafHashes);
                Assert.Equal(builder.Entries.Count, log.Size);
                Assert.Equal(builder.Entries.Count, result.Checkpoint.Checkpoint.Size);
                Assert.Equal(builder.Reference.Root(log.Size), result.Checkpoint.Checkpoint.RootHash);
                Assert.Same(result.Checkpoint, log.Checkpoint);
            }

            Assert.Equal(log.Checkpoint.NoteText, File.ReadAllText(_temp.Combine("checkpoint")));
            SignedCheckpoint.Verify(Encoding.UTF8.GetBytes(log.Checkpoint.NoteText), LogBuilder.Origin, [log.Key]);
        }

        using var reopened = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null);
        Assert.Equal(size, reopened.Size);
        Assert.Equal(builder.Reference.Root(size), reopened.Checkpoint.Checkpoint.RootHash);
        var random = new Random(size + 1);
        foreach (var index in SampleIndices(size, random))
        {
            Assert.Equal(index, reopened.FindIndex(builder.Reference.Leaves[(int)index]));
            Assert.Equal(builder.Entries[(int)index], await reopened.ReadEntryAsync(index));
        }

        Assert.Null(reopened.FindIndex(ReferenceMerkle.LeafHash(builder.NewEntry(size, tag: 1))));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task AppendAsync_RandomBatches_TilesAndBundlesEqualDirectlyComputedContents(int size)
    {
        var builder = new LogBuilder(new Random(size));
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using (signer)
        using (log)
        {
            await builder.AppendRandomBatchesAsync(log, size);
        }

        TileAssertions.MatchReference(_temp.Path, builder);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ProveInclusionAsync_SampledIndicesAndSizes_EqualReferenceVerifyAndRejectTampering(int size)
    {
        var builder = new LogBuilder(new Random(size));
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using var disposeSigner = signer;
        using var disposeLog = log;
        await builder.AppendRandomBatchesAsync(log, size);
        var random = new Random(size + 2);
        var tree = builder.Reference;

        var samples = new List<(long Index, long Size)> { (0, size), (size - 1, size), (0, 1) };
        samples.AddRange(builder.PublishedSizes.Where(s => s > 0).Take(20).Select(s => (s - 1, s)));
        for (var i = 0; i < 150; i++)
        {
            var treeSize = random.NextInt64(1, size + 1);
            samples.Add((random.NextInt64(treeSize), treeSize));
        }

        for (var i = 0; i < samples.Count; i++)
        {
            var (index, treeSize) = samples[i];
            var proof = await log.ProveInclusionAsync(index, treeSize);

            Assert.Equal(tree.InclusionProof(index, treeSize), proof.Proof);
            Assert.Equal(tree.Leaves[(int)index], proof.LeafHash);
            Assert.Equal(tree.Root(treeSize), proof.Root);
            ProofAssertions.InclusionTamperingFails(index, treeSize, tree.Leaves[(int)index], proof.Proof, tree.Root(treeSize), random, everyBit: i < 4);
        }

        var current = await log.ProveInclusionAsync(size - 1);
        Assert.Equal(size, current.Size);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ProveConsistencyAsync_SampledSizes_EqualReferenceVerifyAndRejectTampering(int size)
    {
        var builder = new LogBuilder(new Random(size));
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using var disposeSigner = signer;
        using var disposeLog = log;
        await builder.AppendRandomBatchesAsync(log, size);
        var random = new Random(size + 3);
        var tree = builder.Reference;

        var published = builder.PublishedSizes.Where(s => s > 0).ToList();
        var samples = new List<(long Size1, long Size2)> { (1, size), (size, size) };
        samples.AddRange(published.Zip(published.Skip(1)).Take(20));
        for (var i = 0; i < 150; i++)
        {
            var size2 = random.NextInt64(1, size + 1);
            samples.Add((random.NextInt64(1, size2 + 1), size2));
        }

        for (var i = 0; i < samples.Count; i++)
        {
            var (size1, size2) = samples[i];
            var proof = await log.ProveConsistencyAsync(size1, size2);

            Assert.Equal(tree.ConsistencyProof(size1, size2), proof.Proof);
            Assert.Equal(tree.Root(size1), proof.Root1);
            Assert.Equal(tree.Root(size2), proof.Root2);
            ProofAssertions.ConsistencyTamperingFails(size1, size2, proof.Proof, tree.Root(size1), tree.Root(size2), random, everyBit: i < 4);
        }

        var toCurrent = await log.ProveConsistencyAsync(1);
        Assert.Equal(size, toCurrent.Size2);
    }

    [Fact]
    public async Task AppendAsync_70000EntriesInOneBatch_TileLayoutIsC2sp()
    {
        var builder = new LogBuilder(new Random(70000));
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using (signer)
        using (log)
        {
            await builder.AppendAsync(log, builder.NewEntries(0, 70000));
        }

        var files = TileFile.ListAll(_temp.Path).Select(TileFile.Parse).ToList();
        var level0 = files.Where(f => !f.IsEntryBundle && f.Level == 0).ToList();
        var level1 = files.Where(f => !f.IsEntryBundle && f.Level == 1).ToList();
        var level2 = files.Where(f => !f.IsEntryBundle && f.Level == 2).ToList();
        var bundles = files.Where(f => f.IsEntryBundle).ToList();

        // 70,000 leaves: 273 full level-0 tiles and a partial of 112; level 1 has 273 hashes
        // (one full tile, a partial of 17); level 2 has one hash.
        Assert.Equal(273, level0.Count(f => f.IsFull));
        Assert.Equal(new TileFile(false, 0, 273, 112), Assert.Single(level0, f => !f.IsFull));
        Assert.Equal(new TileFile(false, 1, 0, 256), Assert.Single(level1, f => f.IsFull));
        Assert.Equal(new TileFile(false, 1, 1, 17), Assert.Single(level1, f => !f.IsFull));
        Assert.Equal(new TileFile(false, 2, 0, 1), Assert.Single(level2));
        Assert.Equal(273 + 1 + 2 + 1, files.Count(f => !f.IsEntryBundle));
        Assert.Equal(273, bundles.Count(f => f.IsFull));
        Assert.Equal(new TileFile(true, -1, 273, 112), Assert.Single(bundles, f => !f.IsFull));
        Assert.True(File.Exists(_temp.Combine("tile/0/272")));
        Assert.True(File.Exists(_temp.Combine("tile/0/273.p/112")));
        Assert.True(File.Exists(_temp.Combine("tile/1/001.p/17")));
        Assert.True(File.Exists(_temp.Combine("tile/2/000.p/1")));
        Assert.True(File.Exists(_temp.Combine("tile/entries/273.p/112")));
        TileAssertions.MatchReference(_temp.Path, builder);
    }

    private static IEnumerable<long> SampleIndices(int size, Random random) =>
        size <= 300
            ? Enumerable.Range(0, size).Select(i => (long)i)
            : new long[] { 0, 255, 256, size - 1 }.Concat(Enumerable.Range(0, 200).Select(_ => random.NextInt64(size)));
}
