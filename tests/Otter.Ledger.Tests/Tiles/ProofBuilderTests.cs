using Otter.Ledger.Merkle;
using Otter.Ledger.Tests.TestSupport;
using Otter.Ledger.Tiles;

namespace Otter.Ledger.Tests.Tiles;

/// <summary>ProofBuilder's proofs, from tiles computed from the specification, against RFC 6962's PATH and PROOF.</summary>
public sealed class ProofBuilderTests
{
    private static (ReferenceMerkle Tree, ProofBuilder Builder, Dictionary<string, byte[]> Files) Build(int size)
    {
        var random = new Random(size);
        var tree = new ReferenceMerkle(Enumerable.Range(0, size).Select(_ =>
        {
            var entry = new byte[8];
            random.NextBytes(entry);
            return ReferenceMerkle.LeafHash(entry);
        }));
        var files = ReferenceTiles.Files(tree, size);
        return (tree, new ProofBuilder(new TileHashReader(new MemoryLogReader(files), size)), files);
    }

    [Fact]
    public async Task InclusionAsync_EveryIndexAndSizeOfSmallTree_EqualsRfc6962Path()
    {
        var (tree, builder, _) = Build(70);

        for (var size = 1; size <= 70; size++)
        {
            for (var index = 0; index < size; index++)
            {
                var proof = await builder.InclusionAsync(index, size, CancellationToken.None);

                Assert.Equal(tree.InclusionProof(index, size), proof.Proof);
                Assert.Equal(tree.Leaves[index], proof.LeafHash);
                Assert.Equal(tree.Root(size), proof.Root);
                Assert.Equal((index, size), (proof.Index, proof.Size));
            }
        }
    }

    [Fact]
    public async Task ConsistencyAsync_EveryPairOfSmallTree_EqualsRfc6962Proof()
    {
        var (tree, builder, _) = Build(70);

        for (var size2 = 1; size2 <= 70; size2++)
        {
            for (var size1 = 1; size1 <= size2; size1++)
            {
                var proof = await builder.ConsistencyAsync(size1, size2, CancellationToken.None);

                Assert.Equal(tree.ConsistencyProof(size1, size2), proof.Proof);
                Assert.Equal(tree.Root(size1), proof.Root1);
                Assert.Equal(tree.Root(size2), proof.Root2);
            }
        }
    }

    [Fact]
    public async Task InclusionAsyncAndConsistencyAsync_LargeTreeAcrossTileLevels_EqualRfc6962AndVerify()
    {
        var (tree, builder, _) = Build(70000);
        var random = new Random(11);

        for (var i = 0; i < 100; i++)
        {
            var size = i < 4 ? new long[] { 70000, 65536, 65537, 256 }[i] : random.NextInt64(1, 70001);
            var index = i % 3 == 0 ? size - 1 : random.NextInt64(size);
            var inclusion = await builder.InclusionAsync(index, size, CancellationToken.None);
            Assert.Equal(tree.InclusionProof(index, size), inclusion.Proof);
            MerkleVerifier.VerifyInclusion(index, size, tree.Leaves[(int)index], inclusion.Proof, tree.Root(size));

            var size1 = random.NextInt64(1, size + 1);
            var consistency = await builder.ConsistencyAsync(size1, size, CancellationToken.None);
            Assert.Equal(tree.ConsistencyProof(size1, size), consistency.Proof);
            MerkleVerifier.VerifyConsistency(size1, size, consistency.Proof, tree.Root(size1), tree.Root(size));
        }
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(-1L, 5L)]
    [InlineData(5L, 5L)]
    [InlineData(0L, 301L)]
    public async Task InclusionAsync_IndexOrSizeOutsideLog_ThrowsLedgerException(long index, long size)
    {
        var (_, builder, _) = Build(300);

        await Assert.ThrowsAsync<LedgerException>(() => builder.InclusionAsync(index, size, CancellationToken.None));
    }

    [Theory]
    [InlineData(0L, 5L)]
    [InlineData(6L, 5L)]
    [InlineData(1L, 301L)]
    public async Task ConsistencyAsync_SizesOutsideLog_ThrowsLedgerException(long size1, long size2)
    {
        var (_, builder, _) = Build(300);

        await Assert.ThrowsAsync<LedgerException>(() => builder.ConsistencyAsync(size1, size2, CancellationToken.None));
    }

    [Fact]
    public async Task InclusionAsync_TruncatedTile_ThrowsNamingTheTile()
    {
        var (_, _, files) = Build(300);
        files["tile/0/000"] = files["tile/0/000"][..100];
        var builder = new ProofBuilder(new TileHashReader(new MemoryLogReader(files), 300));

        var ex = await Assert.ThrowsAsync<LedgerException>(() => builder.InclusionAsync(3, 300, CancellationToken.None));

        Assert.Contains("tile/0/000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsistencyAsync_TruncatedPartialTile_ThrowsNamingTheTile()
    {
        var (_, _, files) = Build(300);
        files["tile/0/001.p/44"] = [];
        var builder = new ProofBuilder(new TileHashReader(new MemoryLogReader(files), 300));

        var ex = await Assert.ThrowsAsync<LedgerException>(() => builder.ConsistencyAsync(100, 300, CancellationToken.None));

        Assert.Contains("tile/0/001.p/44", ex.Message, StringComparison.Ordinal);
    }
}
