using System.Numerics;
using System.Security.Cryptography;

namespace Otter.Ledger.Merkle;

/// <summary>Verifies RFC 9162 inclusion and consistency proofs (sections 2.1.3.2 and 2.1.4.2).</summary>
public static class MerkleVerifier
{
    /// <summary>Most hashes a proof can need: one per tree level.</summary>
    public const int MaxProofLength = 64;

    /// <summary>
    /// Checks that the leaf with hash <paramref name="leafHash"/> is at <paramref name="index"/>
    /// in the tree of <paramref name="size"/> leaves whose root is <paramref name="root"/>.
    /// </summary>
    /// <exception cref="ProofException">The proof does not verify; the message says why.</exception>
    public static void VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        CheckHash(leafHash, "leaf hash");
        CheckHash(root, "root hash");
        var computed = RootFromInclusionProof(index, size, leafHash, proof);
        if (!CryptographicOperations.FixedTimeEquals(computed, root))
        {
            throw new ProofException($"the inclusion proof for entry {index} does not lead to the root of the tree of size {size}: the entry is not in that tree, or the proof or root is wrong.");
        }
    }

    /// <summary>The root implied by an inclusion proof.</summary>
    /// <exception cref="ProofException">The proof has the wrong shape for the index and size.</exception>
    public static byte[] RootFromInclusionProof(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (index < 0 || size < 1 || index >= size)
        {
            throw new ProofException($"entry index {index} is not in a tree of size {size}.");
        }

        CheckHash(leafHash, "leaf hash");
        var expected = InclusionProofLength(index, size);
        if (proof.Count != expected)
        {
            throw new ProofException($"an inclusion proof for entry {index} in a tree of size {size} has {expected} hashes, this one has {proof.Count}.");
        }

        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            CheckHash(p, "proof hash");
            if (sn == 0)
            {
                throw new ProofException("the inclusion proof is longer than the tree is deep.");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHasher.HashChildren(p, r, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHasher.HashChildren(r, p, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            throw new ProofException("the inclusion proof is shorter than the tree is deep.");
        }

        return r;
    }

    /// <summary>
    /// Checks that the tree of <paramref name="size1"/> leaves with root <paramref name="root1"/>
    /// is a prefix of the tree of <paramref name="size2"/> leaves with root <paramref name="root2"/>.
    /// </summary>
    /// <exception cref="ProofException">The proof does not verify; the message says why.</exception>
    public static void VerifyConsistency(long size1, long size2, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (size1 < 1)
        {
            // Every tree extends the empty tree; a "proof" of that proves nothing, so it is not accepted as one.
            throw new ProofException($"a consistency proof needs a first tree of at least one entry (got size {size1}).");
        }

        if (size2 < size1)
        {
            throw new ProofException($"the second tree (size {size2}) is smaller than the first (size {size1}); a log never shrinks.");
        }

        if (size1 == size2)
        {
            if (proof.Count != 0)
            {
                throw new ProofException("trees of equal size need an empty consistency proof.");
            }

            if (!CryptographicOperations.FixedTimeEquals(root1, root2))
            {
                throw new ProofException($"two trees of size {size1} have different roots: the log has shown two different histories (split view).");
            }

            return;
        }

        // Checked only here: equal sizes just compare the roots byte for byte (above), as RFC 9162
        // and transparency-dev/merkle's vectors do whatever the roots' length.
        CheckHash(root1, "first root hash");
        CheckHash(root2, "second root hash");
        if (proof.Count == 0 || proof.Count > MaxProofLength)
        {
            throw new ProofException($"a consistency proof from size {size1} to {size2} cannot have {proof.Count} hashes.");
        }

        foreach (var p in proof)
        {
            CheckHash(p, "proof hash");
        }

        var path = new List<byte[]>(proof.Count + 1);
        if (BitOperations.IsPow2(size1))
        {
            path.Add(root1.ToArray());
        }

        path.AddRange(proof);
        var fn = size1 - 1;
        var sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var fr = path[0].ToArray();
        var sr = path[0].ToArray();
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0)
            {
                throw new ProofException("the consistency proof is longer than the tree is deep.");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHasher.HashChildren(c, fr, fr);
                MerkleHasher.HashChildren(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                MerkleHasher.HashChildren(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            throw new ProofException("the consistency proof is shorter than the tree is deep.");
        }

        if (!CryptographicOperations.FixedTimeEquals(fr, root1))
        {
            throw new ProofException($"the consistency proof does not lead to the first root (size {size1}): the log rewrote its history, or the proof is wrong.");
        }

        if (!CryptographicOperations.FixedTimeEquals(sr, root2))
        {
            throw new ProofException($"the consistency proof does not lead to the second root (size {size2}): the log rewrote its history, or the proof is wrong.");
        }
    }

    /// <summary>Hashes in an inclusion proof for <paramref name="index"/> in a tree of <paramref name="size"/>.</summary>
    public static int InclusionProofLength(long index, long size)
    {
        // Levels where the path has a sibling: the full height below the point where the
        // index's path and the tree's right edge part, plus one per right-edge turn above it.
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(index ^ (size - 1)));
        var border = BitOperations.PopCount((ulong)index >> inner);
        return inner + border;
    }

    private static void CheckHash(ReadOnlySpan<byte> hash, string what)
    {
        if (hash.Length != MerkleHasher.HashSize)
        {
            throw new ProofException($"the {what} is {hash.Length} bytes; SHA-256 hashes are {MerkleHasher.HashSize}.");
        }
    }
}
