using Otter.Ledger.Merkle;

namespace Otter.Ledger.Tests.TestSupport;

/// <summary>Checks that tampered versions of a valid proof are all rejected by <see cref="MerkleVerifier"/>.</summary>
public static class ProofAssertions
{
    /// <summary>
    /// Flips bits of every proof hash, of the leaf hash and of the root (every bit when
    /// <paramref name="everyBit"/>, else a few random ones per hash), adds and removes proof
    /// hashes, and asserts each variant fails. The unmodified proof must verify.
    /// </summary>
    public static void InclusionTamperingFails(long index, long size, byte[] leaf, IReadOnlyList<byte[]> proof, byte[] root, Random random, bool everyBit)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(random);
        MerkleVerifier.VerifyInclusion(index, size, leaf, proof, root);
        foreach (var bit in Bits(random, everyBit))
        {
            Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(index, size, Flip(leaf, bit), proof, root));
            Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(index, size, leaf, proof, Flip(root, bit)));
            for (var i = 0; i < proof.Count; i++)
            {
                var tampered = proof.ToList();
                tampered[i] = Flip(proof[i], bit);
                Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(index, size, leaf, tampered, root));
            }
        }

        foreach (var variant in LengthVariants(proof, random))
        {
            Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(index, size, leaf, variant, root));
        }
    }

    /// <summary>The same as <see cref="InclusionTamperingFails"/> for a consistency proof and both roots.</summary>
    public static void ConsistencyTamperingFails(long size1, long size2, IReadOnlyList<byte[]> proof, byte[] root1, byte[] root2, Random random, bool everyBit)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(root1);
        ArgumentNullException.ThrowIfNull(root2);
        ArgumentNullException.ThrowIfNull(random);
        MerkleVerifier.VerifyConsistency(size1, size2, proof, root1, root2);
        foreach (var bit in Bits(random, everyBit))
        {
            Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(size1, size2, proof, Flip(root1, bit), root2));
            Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(size1, size2, proof, root1, Flip(root2, bit)));
            for (var i = 0; i < proof.Count; i++)
            {
                var tampered = proof.ToList();
                tampered[i] = Flip(proof[i], bit);
                Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(size1, size2, tampered, root1, root2));
            }
        }

        foreach (var variant in LengthVariants(proof, random))
        {
            Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(size1, size2, variant, root1, root2));
        }
    }

    /// <summary>A copy of <paramref name="hash"/> with bit <paramref name="bit"/> (0 = most significant bit of byte 0) flipped.</summary>
    public static byte[] Flip(byte[] hash, int bit)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var copy = hash.ToArray();
        copy[bit / 8] ^= (byte)(0x80 >> (bit % 8));
        return copy;
    }

    private static IEnumerable<int> Bits(Random random, bool everyBit) =>
        everyBit ? Enumerable.Range(0, 256) : [random.Next(256), random.Next(256), random.Next(256)];

    // Proofs with one hash more or one fewer than the valid one, at either end or in the middle.
    private static IEnumerable<List<byte[]>> LengthVariants(IReadOnlyList<byte[]> proof, Random random)
    {
        var extra = new byte[MerkleHasher.HashSize];
        random.NextBytes(extra);
        yield return [.. proof, extra];
        yield return [extra, .. proof];
        if (proof.Count > 0)
        {
            yield return [.. proof, proof[^1]];
            yield return [proof[0], .. proof];
            yield return proof.Skip(1).ToList();
            yield return proof.Take(proof.Count - 1).ToList();
            var middle = proof.Count / 2;
            yield return [.. proof.Take(middle), extra, .. proof.Skip(middle)];
            yield return [.. proof.Take(middle), .. proof.Skip(middle + 1)];
        }
    }
}
