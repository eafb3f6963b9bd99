using System.Security.Cryptography;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

using Otter.Ledger.Log;
using Otter.Ledger.Merkle;
using Otter.Ledger.Tiles;

namespace Otter.Benchmarks;

/// <summary>
/// Proofs from a 10,000,000-entry log on disk (<see cref="TenMillionEntryLog"/>), one core:
/// inclusion proof generation and verification for random entries, consistency proof generation
/// and verification between random sizes. Target: each under a millisecond. The reference is the
/// raw SHA-256 work of a proof check: 32 hashes of 65-byte inner-node inputs.
/// </summary>
/// <remarks>
/// Each proof is built from tiles read from the files on that call (the log builds a new
/// <see cref="TileHashReader"/>, whose tile cache is per reader, for every proof), so nothing is
/// cached inside the process between proofs; the OS page cache is warm (set-up reads every hash
/// tile once), as it is on a serving log.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[BaselineColumn]
[Config(typeof(OneCoreConfig))]
public class LogProofBenchmarks : IDisposable
{
    /// <summary>Hashes in the reference: about what checking one proof in a 10M-entry log computes.</summary>
    public const int ReferenceHashes = 32;

    private const string Category = "LogProofs-10M";
    private const int Samples = 1024;

    private TransparencyLog? _log;
    private byte[] _root = [];
    private long[] _indices = [];
    private (long Size1, long Size2)[] _sizes = [];
    private InclusionProof[] _inclusionProofs = [];
    private ConsistencyProof[] _consistencyProofs = [];
    private readonly byte[] _node = new byte[1 + (2 * MerkleHasher.HashSize)];
    private int _nextIndex;
    private int _nextInclusion;
    private int _nextSizes;
    private int _nextConsistency;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var (log, description) = await TenMillionEntryLog.OpenAsync();
        _log = log;
        Console.WriteLine("// 10M-entry log: " + description);
        _root = log.Checkpoint.Checkpoint.RootHash;

        // Fixed seed: every run proves the same entries and sizes.
        var random = new Random(20_261_122);
        _indices = new long[Samples];
        _sizes = new (long, long)[Samples];
        for (var i = 0; i < Samples; i++)
        {
            _indices[i] = random.NextInt64(log.Size);
            var size1 = random.NextInt64(1, log.Size);
            _sizes[i] = (size1, random.NextInt64(size1 + 1, log.Size + 1));
        }

        _inclusionProofs = new InclusionProof[Samples];
        _consistencyProofs = new ConsistencyProof[Samples];
        for (var i = 0; i < Samples; i++)
        {
            _inclusionProofs[i] = await log.ProveInclusionAsync(_indices[i]);
            _consistencyProofs[i] = await log.ProveConsistencyAsync(_sizes[i].Size1, _sizes[i].Size2);
        }

        // The proofs must be of the log's entries and lead to its signed root.
        for (var i = 0; i < 16; i++)
        {
            var proof = _inclusionProofs[i];
            if (!proof.LeafHash.AsSpan().SequenceEqual(MerkleHasher.HashLeaf(TenMillionEntryLog.Entry(proof.Index))) || !proof.Root.AsSpan().SequenceEqual(_root))
            {
                throw new InvalidOperationException($"benchmark set-up is wrong: the proof of entry {proof.Index} is not of the log's entry or root");
            }
        }

        var toHead = await log.ProveConsistencyAsync(_sizes[0].Size1);
        MerkleVerifier.VerifyConsistency(toHead.Size1, toHead.Size2, toHead.Proof, toHead.Root1, _root);
        _node[0] = 0x01;
        _ = Otter_MerkleVerifier_VerifyInclusion();
        _ = Otter_MerkleVerifier_VerifyConsistency();
        _ = await Otter_TransparencyLog_ProveConsistencyAsync_Verify();

        Console.WriteLine("// " + TenMillionEntryLog.WarmPageCache());
        Console.WriteLine("// " + CpuPinning.PinProcess());
    }

    /// <summary>Reference: SHA-256 of 32 inner-node inputs (0x01 || left || right, 65 bytes), each on the previous result.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Category)]
    public byte[] Raw_SHA256_HashData_32x65B()
    {
        var node = _node;
        for (var i = 0; i < ReferenceHashes; i++)
        {
            SHA256.HashData(node, node.AsSpan(1 + ((i & 1) * MerkleHasher.HashSize), MerkleHasher.HashSize));
        }

        return node;
    }

    /// <summary>Inclusion proof of a random entry in the 10M-entry tree, from the tiles on disk.</summary>
    [Benchmark]
    [BenchmarkCategory(Category)]
    public async Task<int> Otter_TransparencyLog_ProveInclusionAsync() =>
        (await _log!.ProveInclusionAsync(_indices[_nextIndex++ % Samples])).Proof.Count;

    /// <summary>Verifying a (precomputed) inclusion proof against the signed root.</summary>
    [Benchmark]
    [BenchmarkCategory(Category)]
    public int Otter_MerkleVerifier_VerifyInclusion()
    {
        var proof = _inclusionProofs[_nextInclusion++ % Samples];
        MerkleVerifier.VerifyInclusion(proof.Index, proof.Size, proof.LeafHash, proof.Proof, _root);
        return proof.Proof.Count;
    }

    /// <summary>Consistency proof between two random sizes, from the tiles on disk, and its verification.</summary>
    [Benchmark]
    [BenchmarkCategory(Category)]
    public async Task<int> Otter_TransparencyLog_ProveConsistencyAsync_Verify()
    {
        var (size1, size2) = _sizes[_nextSizes++ % Samples];
        var proof = await _log!.ProveConsistencyAsync(size1, size2);
        MerkleVerifier.VerifyConsistency(size1, size2, proof.Proof, proof.Root1, proof.Root2);
        return proof.Proof.Count;
    }

    /// <summary>Verifying a (precomputed) consistency proof between two random sizes.</summary>
    [Benchmark]
    [BenchmarkCategory(Category)]
    public int Otter_MerkleVerifier_VerifyConsistency()
    {
        var proof = _consistencyProofs[_nextConsistency++ % Samples];
        MerkleVerifier.VerifyConsistency(proof.Size1, proof.Size2, proof.Proof, proof.Root1, proof.Root2);
        return proof.Proof.Count;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        if (_log is not null)
        {
            Console.WriteLine("// proof benchmarks: threads at clean-up: " + CpuPinning.Describe());
        }

        _log?.Dispose();
        _log = null;
        GC.SuppressFinalize(this);
    }
}
