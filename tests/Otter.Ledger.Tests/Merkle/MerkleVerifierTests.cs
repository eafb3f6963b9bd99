using Otter.Ledger.Merkle;
using Otter.Ledger.Tests.TestSupport;

namespace Otter.Ledger.Tests.Merkle;

/// <summary>MerkleVerifier against RFC 6962's definitions (the reference model), exhaustively for small trees.</summary>
public sealed class MerkleVerifierTests
{
    private const int SmallTrees = 40;

    private static readonly ReferenceMerkle Tree = new(Enumerable.Range(0, SmallTrees).Select(i => ReferenceMerkle.LeafHash(BitConverter.GetBytes(i))));

    [Fact]
    public void VerifyInclusion_EveryLeafOfEverySmallTree_Verifies()
    {
        for (var size = 1; size <= SmallTrees; size++)
        {
            var root = Tree.Root(size);
            for (var index = 0; index < size; index++)
            {
                var proof = Tree.InclusionProof(index, size);
                MerkleVerifier.VerifyInclusion(index, size, Tree.Leaves[index], proof, root);
                Assert.Equal(proof.Count, MerkleVerifier.InclusionProofLength(index, size));
            }
        }
    }

    [Fact]
    public void VerifyInclusion_ProofOfAnotherLeafOrTree_Rejected()
    {
        for (var size = 1; size <= 17; size++)
        {
            for (var index = 0; index < size; index++)
            {
                var proof = Tree.InclusionProof(index, size);
                for (var other = 0; other < size; other++)
                {
                    if (other != index)
                    {
                        Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(other, size, Tree.Leaves[index], proof, Tree.Root(size)));
                        Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(index, size, Tree.Leaves[other], proof, Tree.Root(size)));
                    }
                }

                Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(index, size + 1, Tree.Leaves[index], proof, Tree.Root(size + 1)));
            }
        }
    }

    [Fact]
    public void VerifyConsistency_EveryPairOfSmallTrees_Verifies()
    {
        for (var size2 = 1; size2 <= SmallTrees; size2++)
        {
            for (var size1 = 1; size1 <= size2; size1++)
            {
                MerkleVerifier.VerifyConsistency(size1, size2, Tree.ConsistencyProof(size1, size2), Tree.Root(size1), Tree.Root(size2));
            }
        }
    }

    [Fact]
    public void VerifyConsistency_RootOfAnotherSize_Rejected()
    {
        for (var size2 = 2; size2 <= 20; size2++)
        {
            for (var size1 = 1; size1 < size2; size1++)
            {
                var proof = Tree.ConsistencyProof(size1, size2);
                Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(size1, size2, proof, Tree.Root(size1 == 1 ? 2 : size1 - 1), Tree.Root(size2)));
                Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(size1, size2, proof, Tree.Root(size1), Tree.Root(size2 - 1)));
            }
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(5, 17)]
    [InlineData(16, 17)]
    [InlineData(31, 40)]
    public void VerifyInclusion_TamperedProofLeafOrRoot_Rejected(int index, int size)
    {
        ProofAssertions.InclusionTamperingFails(index, size, Tree.Leaves[index], Tree.InclusionProof(index, size), Tree.Root(size), new Random(index), everyBit: true);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(4, 17)]
    [InlineData(7, 40)]
    public void VerifyConsistency_TamperedProofOrRoots_Rejected(int size1, int size2)
    {
        ProofAssertions.ConsistencyTamperingFails(size1, size2, Tree.ConsistencyProof(size1, size2), Tree.Root(size1), Tree.Root(size2), new Random(size1), everyBit: true);
    }

    [Theory]
    [InlineData(-1, 5)]
    [InlineData(5, 5)]
    [InlineData(6, 5)]
    [InlineData(0, 0)]
    [InlineData(0, -1)]
    public void VerifyInclusion_IndexOutsideTree_Rejected(long index, long size)
    {
        var ex = Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(index, size, Tree.Leaves[0], [], Tree.Root(1)));
        Assert.Contains("is not in a tree of size", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyInclusion_HashOfWrongLength_Rejected()
    {
        var proof = Tree.InclusionProof(2, 5);
        var shortHash = Tree.Leaves[2][..31];

        Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(2, 5, shortHash, proof, Tree.Root(5)));
        Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(2, 5, Tree.Leaves[2], proof, [.. Tree.Root(5), 0]));
        Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(2, 5, Tree.Leaves[2], [proof[0][..31], .. proof.Skip(1)], Tree.Root(5)));
    }

    [Fact]
    public void VerifyInclusion_NullProof_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => MerkleVerifier.VerifyInclusion(0, 1, Tree.Leaves[0], null!, Tree.Leaves[0]));
        Assert.Throws<ArgumentNullException>(() => MerkleVerifier.VerifyConsistency(1, 1, null!, Tree.Leaves[0], Tree.Leaves[0]));
    }

    [Fact]
    public void RootFromInclusionProof_ValidProof_ReturnsRoot()
    {
        Assert.Equal(Tree.Root(13), MerkleVerifier.RootFromInclusionProof(6, 13, Tree.Leaves[6], Tree.InclusionProof(6, 13)));
    }

    [Fact]
    public void VerifyConsistency_FromEmptyTree_Rejected()
    {
        var ex = Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(0, 5, [], ReferenceMerkle.EmptyRoot(), Tree.Root(5)));
        Assert.Contains("at least one entry", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyConsistency_SecondTreeSmaller_RejectedAsShrinking()
    {
        var ex = Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(6, 5, Tree.ConsistencyProof(5, 6), Tree.Root(6), Tree.Root(5)));
        Assert.Contains("never shrinks", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyConsistency_EqualSizesDifferentRoots_RejectedAsSplitView()
    {
        var otherRoot = ProofAssertions.Flip(Tree.Root(5), 0);

        var ex = Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(5, 5, [], Tree.Root(5), otherRoot));
        Assert.Contains("split view", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyConsistency_EqualSizesWithNonEmptyProof_Rejected()
    {
        Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(5, 5, [Tree.Leaves[0]], Tree.Root(5), Tree.Root(5)));
    }

    [Fact]
    public void VerifyConsistency_ProofLongerThanAnyTreeIsDeep_Rejected()
    {
        var proof = Enumerable.Repeat(Tree.Leaves[0], MerkleVerifier.MaxProofLength + 1).ToList();

        Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(3, 40, proof, Tree.Root(3), Tree.Root(40)));
    }

    [Theory]
    [InlineData(0, 1, 0)]
    [InlineData(0, 2, 1)]
    [InlineData(0, 8, 3)]
    [InlineData(7, 8, 3)]
    [InlineData(4, 5, 1)]
    [InlineData(2, 3, 1)]
    [InlineData(0, 3, 2)]
    [InlineData(255, 256, 8)]
    [InlineData(256, 257, 1)]
    [InlineData(0, 257, 9)]
    public void InclusionProofLength_IndexAndSize_MatchesRfc6962Path(long index, long size, int expected)
    {
        Assert.Equal(expected, MerkleVerifier.InclusionProofLength(index, size));
    }
}
