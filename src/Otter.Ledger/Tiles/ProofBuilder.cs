using System.Numerics;
using Otter.Ledger.Merkle;

namespace Otter.Ledger.Tiles;

/// <summary>
/// Builds RFC 6962 inclusion and consistency proofs from tiles alone. When the root of the
/// published tree is already known (from its signed checkpoint) it is reused rather than
/// rehashed from the tiles.
/// </summary>
public sealed class ProofBuilder(TileHashReader tiles, byte[]? publishedRoot = null)
{
    /// <summary>The inclusion proof of the entry at <paramref name="index"/> in the tree of <paramref name="size"/>.</summary>
    public async Task<InclusionProof> InclusionAsync(long index, long size, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (size < 1 || size > tiles.PublishedSize || index < 0 || index >= size)
        {
            throw new LedgerException($"entry {index} is not in a tree of size {size} (the log has {tiles.PublishedSize} entries).");
        }

        var proof = new List<byte[]>();
        await PathAsync(index, 0, size, proof, cancellationToken);
        proof.Reverse();
        var leaf = await tiles.NodeAsync(0, index, cancellationToken);
        var root = await RootAsync(size, cancellationToken);
        return new InclusionProof(index, size, leaf, root, proof);
    }

    /// <summary>The consistency proof from the tree of <paramref name="size1"/> to the tree of <paramref name="size2"/>.</summary>
    public async Task<ConsistencyProof> ConsistencyAsync(long size1, long size2, CancellationToken cancellationToken)
    {
        if (size1 < 1 || size2 < size1 || size2 > tiles.PublishedSize)
        {
            throw new LedgerException($"no consistency proof from size {size1} to size {size2} (the log has {tiles.PublishedSize} entries; sizes must satisfy 1 <= from <= to).");
        }

        var proof = new List<byte[]>();
        if (size1 < size2)
        {
            await SubProofAsync(size1, 0, size2, true, proof, cancellationToken);
            proof.Reverse();
        }

        var root1 = await RootAsync(size1, cancellationToken);
        var root2 = await RootAsync(size2, cancellationToken);
        return new ConsistencyProof(size1, size2, root1, root2, proof);
    }

    private async ValueTask<byte[]> RootAsync(long size, CancellationToken cancellationToken) =>
        size == tiles.PublishedSize && publishedRoot is not null ? publishedRoot : await tiles.RootAsync(size, cancellationToken);

    // RFC 6962 2.1.1 PATH(m, D[start:end]); hashes are collected top-down and reversed by the caller.
    private async Task PathAsync(long m, long start, long end, List<byte[]> proof, CancellationToken cancellationToken)
    {
        while (end - start > 1)
        {
            var k = LargestPowerOfTwoBelow(end - start);
            if (m - start < k)
            {
                proof.Add(await tiles.RangeAsync(start + k, end, cancellationToken));
                end = start + k;
            }
            else
            {
                proof.Add(await tiles.RangeAsync(start, start + k, cancellationToken));
                start += k;
            }
        }
    }

    // RFC 6962 2.1.2 SUBPROOF(m, D[start:end], b), with m relative to start.
    private async Task SubProofAsync(long m, long start, long end, bool whole, List<byte[]> proof, CancellationToken cancellationToken)
    {
        while (true)
        {
            var n = end - start;
            if (m == n)
            {
                if (!whole)
                {
                    proof.Add(await tiles.RangeAsync(start, end, cancellationToken));
                }

                return;
            }

            var k = LargestPowerOfTwoBelow(n);
            if (m <= k)
            {
                proof.Add(await tiles.RangeAsync(start + k, end, cancellationToken));
                end = start + k;
            }
            else
            {
                proof.Add(await tiles.RangeAsync(start, start + k, cancellationToken));
                m -= k;
                start += k;
                whole = false;
            }
        }
    }

    private static long LargestPowerOfTwoBelow(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));
}
