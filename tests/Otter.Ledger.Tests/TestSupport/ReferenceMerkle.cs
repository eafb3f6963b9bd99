using System.Security.Cryptography;

namespace Otter.Ledger.Tests.TestSupport;

/// <summary>
/// RFC 6962 section 2.1 written out as the definitions read (MTH, PATH, SUBPROOF), recursive
/// and hashing with SHA-256 directly, independent of the code under test. Subtree hashes are
/// memoised so that large trees stay fast.
/// </summary>
public sealed class ReferenceMerkle
{
    private readonly List<byte[]> _leaves = [];
    private readonly Dictionary<(long Start, long Count), byte[]> _memo = [];

    /// <summary>Starts with the leaves whose hashes are <paramref name="leafHashes"/>.</summary>
    public ReferenceMerkle(IEnumerable<byte[]>? leafHashes = null)
    {
        if (leafHashes is not null)
        {
            _leaves.AddRange(leafHashes);
        }
    }

    /// <summary>Leaves so far.</summary>
    public long Size => _leaves.Count;

    /// <summary>The leaf hashes, in order.</summary>
    public IReadOnlyList<byte[]> Leaves => _leaves;

    /// <summary>SHA-256(0x00 || entry).</summary>
    public static byte[] LeafHash(byte[] entry) => SHA256.HashData([0x00, .. entry]);

    /// <summary>SHA-256(0x01 || left || right).</summary>
    public static byte[] NodeHash(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>SHA-256 of nothing, the root of the empty tree.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData([]);

    /// <summary>The largest power of two strictly smaller than <paramref name="n"/> (n &gt; 1).</summary>
    public static long SplitPoint(long n)
    {
        var k = 1L;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }

    /// <summary>Appends the leaf for <paramref name="entry"/>.</summary>
    public void AddEntry(byte[] entry) => _leaves.Add(LeafHash(entry));

    /// <summary>Appends a leaf hash.</summary>
    public void AddLeafHash(byte[] leafHash) => _leaves.Add(leafHash);

    /// <summary>MTH of the first <paramref name="size"/> leaves.</summary>
    public byte[] Root(long size) => size == 0 ? EmptyRoot() : Mth(0, size);

    /// <summary>MTH(D[start:start+count]).</summary>
    public byte[] Mth(long start, long count)
    {
        if (count == 1)
        {
            return _leaves[(int)start];
        }

        if (_memo.TryGetValue((start, count), out var known))
        {
            return known;
        }

        var k = SplitPoint(count);
        var hash = NodeHash(Mth(start, k), Mth(start + k, count - k));
        _memo[(start, count)] = hash;
        return hash;
    }

    /// <summary>RFC 6962 PATH(m, D[0:size]): the audit path, bottom-up.</summary>
    public List<byte[]> InclusionProof(long m, long size) => Path(m, 0, size);

    /// <summary>RFC 6962 PROOF(m, D[0:size]).</summary>
    public List<byte[]> ConsistencyProof(long m, long size) => m == size ? [] : SubProof(m, 0, size, true);

    private List<byte[]> Path(long m, long start, long n)
    {
        if (n == 1)
        {
            return [];
        }

        var k = SplitPoint(n);
        List<byte[]> proof;
        if (m < k)
        {
            proof = Path(m, start, k);
            proof.Add(Mth(start + k, n - k));
        }
        else
        {
            proof = Path(m - k, start + k, n - k);
            proof.Add(Mth(start, k));
        }

        return proof;
    }

    private List<byte[]> SubProof(long m, long start, long n, bool b)
    {
        if (m == n)
        {
            return b ? [] : [Mth(start, n)];
        }

        var k = SplitPoint(n);
        List<byte[]> proof;
        if (m <= k)
        {
            proof = SubProof(m, start, k, b);
            proof.Add(Mth(start + k, n - k));
        }
        else
        {
            proof = SubProof(m - k, start + k, n - k, false);
            proof.Add(Mth(start, k));
        }

        return proof;
    }
}
