using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

using Otter.Ledger.Log;
using Otter.Ledger.Merkle;
using Otter.Ledger.Storage;
using Otter.Trust.Keys;

namespace Otter.Benchmarks;

/// <summary>
/// Batched appends to a transparency log on <see cref="DirectoryLogStorage"/> (every file
/// fsynced, as in production), one core, reported per entry (OperationsPerInvoke = batch size),
/// against the raw SHA-256 work of the same batch: its leaf hashes and the inner node hashes of
/// its Merkle tree, computed with <c>SHA256.HashData</c> directly. Target: over 20,000 entries/s.
/// </summary>
/// <remarks>
/// The log grows through the run (each measured append is one more batch on the same log), so
/// every append does what a production append does at that size: rewrite the partial bundle and
/// tiles it extends, write the full ones it completes, extend the leaf index, sign a checkpoint.
/// The log is pre-filled with <see cref="PrefillEntries"/> entries so that it already has three
/// tile levels, which it keeps for the whole run (a fourth starts at 16,777,216 entries), so
/// every append writes the same kinds of files.
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[BaselineColumn]
[Config(typeof(OneCoreConfig))]
public class LogAppendBenchmarks : IDisposable
{
    /// <summary>Entries in a small batch.</summary>
    public const int SmallBatch = 1_000;

    /// <summary>Entries in a large batch.</summary>
    public const int LargeBatch = 10_000;

    /// <summary>Entries in the log before the first measured append.</summary>
    public const int PrefillEntries = 100_000;

    private const string SmallCategory = "LogAppend-1000";
    private const string LargeCategory = "LogAppend-10000";
    private const string Origin = "bench.otter.example/append";
    private const int PoolEntries = 100_000;
    private const int ProbeWrites = 32;

    private byte[][][] _smallBatches = [];
    private byte[][][] _largeBatches = [];
    private int _nextSmall;
    private int _nextLarge;
    private byte[] _hashes = [];
    private byte[] _leafInput = [];
    private string? _directory;
    private EcdsaSigner? _signer;
    private TransparencyLog? _log;
    private int _filesBeforeRun;

    [GlobalSetup(Targets = [nameof(Raw_SHA256_LeafAndNodeHashes_1000), nameof(Raw_SHA256_LeafAndNodeHashes_10000)])]
    public async Task SetupRawAsync()
    {
        CreateBatches();

        // The reference must do the hashing the log does: its root is the root the log signs
        // for the same batch appended to an empty log.
        foreach (var batch in new[] { _smallBatches[0], _largeBatches[0] })
        {
            var directory = Directory.CreateTempSubdirectory("otter-bench-append-check-").FullName;
            try
            {
                using var signer = new EcdsaSigner(EcdsaP256.Generate(), "bench");
                using var log = await TransparencyLog.CreateAsync(new DirectoryLogStorage(directory), Origin, signer);
                var result = await log.AppendAsync(batch);
                if (!result.Checkpoint.Checkpoint.RootHash.AsSpan().SequenceEqual(RawRoot(batch)))
                {
                    throw new InvalidOperationException("benchmark set-up is wrong: the raw hashing does not compute the log's root");
                }
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        Console.WriteLine("// " + CpuPinning.PinProcess());
    }

    [GlobalSetup(Targets = [nameof(Otter_TransparencyLog_AppendAsync_1000), nameof(Otter_TransparencyLog_AppendAsync_10000)])]
    public async Task SetupLogAsync()
    {
        CreateBatches();
        _directory = Directory.CreateTempSubdirectory("otter-bench-append-").FullName;
        _signer = new EcdsaSigner(EcdsaP256.Generate(), "bench");
        _log = await TransparencyLog.CreateAsync(new DirectoryLogStorage(_directory), Origin, _signer);
        for (var appended = 0; appended < PrefillEntries; appended += LargeBatch)
        {
            await _log.AppendAsync(_largeBatches[appended / LargeBatch % _largeBatches.Length]);
        }

        Console.WriteLine("// " + CpuPinning.PinProcess());
        Console.WriteLine("// " + await ProbeStorageAsync(_directory));
        _filesBeforeRun = CountFiles(_directory);
    }

    /// <summary>Reference: SHA-256 of the batch's 1,000 leaves and the 999 inner nodes of its tree.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = SmallBatch)]
    [BenchmarkCategory(SmallCategory)]
    public byte[] Raw_SHA256_LeafAndNodeHashes_1000() => RawRoot(NextSmall());

    /// <summary>Append one batch of 1,000 entries: durable bundles, tiles, leaf index and signed checkpoint.</summary>
    [Benchmark(OperationsPerInvoke = SmallBatch)]
    [BenchmarkCategory(SmallCategory)]
    public async Task<long> Otter_TransparencyLog_AppendAsync_1000() => (await _log!.AppendAsync(NextSmall())).FirstIndex;

    /// <summary>Reference: SHA-256 of the batch's 10,000 leaves and the 9,999 inner nodes of its tree.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = LargeBatch)]
    [BenchmarkCategory(LargeCategory)]
    public byte[] Raw_SHA256_LeafAndNodeHashes_10000() => RawRoot(NextLarge());

    /// <summary>Append one batch of 10,000 entries.</summary>
    [Benchmark(OperationsPerInvoke = LargeBatch)]
    [BenchmarkCategory(LargeCategory)]
    public async Task<long> Otter_TransparencyLog_AppendAsync_10000() => (await _log!.AppendAsync(NextLarge())).FirstIndex;

    [GlobalCleanup]
    public void Dispose()
    {
        if (_log is not null)
        {
            var appends = _nextSmall + _nextLarge;
            var files = CountFiles(_directory!) - _filesBeforeRun;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// append log grew from {PrefillEntries:N0} to {_log.Size:N0} entries in {appends:N0} appends of {(_log.Size - PrefillEntries) / Math.Max(1, appends):N0}, creating {(double)files / Math.Max(1, appends):F1} files per append; threads at clean-up: {CpuPinning.Describe()}"));
        }

        _log?.Dispose();
        _signer?.Dispose();
        _log = null;
        _signer = null;
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        _directory = null;
        GC.SuppressFinalize(this);
    }

    private void CreateBatches()
    {
        var pool = ReleaseEntries.Create(PoolEntries);
        _smallBatches = pool.Chunk(SmallBatch).ToArray();
        _largeBatches = pool.Chunk(LargeBatch).ToArray();
        _hashes = new byte[LargeBatch * MerkleHasher.HashSize];
        _leafInput = new byte[1 + pool.Max(e => e.Length)];
        Console.WriteLine("// " + ReleaseEntries.Describe(pool) + string.Create(CultureInfo.InvariantCulture, $", appended in turn in batches of {SmallBatch:N0} or {LargeBatch:N0}"));
    }

    // What one file of an append costs on this file system, for reading the results: a durable
    // write of a new 8 KiB file, as the log writes each tile and bundle.
    private static async Task<string> ProbeStorageAsync(string directory)
    {
        var storage = new DirectoryLogStorage(directory);
        var bytes = new byte[8192];
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < ProbeWrites; i++)
        {
            await storage.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"bench-probe/{i}"), bytes, CancellationToken.None);
        }

        stopwatch.Stop();
        Directory.Delete(Path.Combine(directory, "bench-probe"), recursive: true);
        return string.Create(CultureInfo.InvariantCulture, $"file system: a durable write of a new 8 KiB file with DirectoryLogStorage (temporary file, fsync, rename, directory fsync) takes {stopwatch.Elapsed.TotalMilliseconds / ProbeWrites:F2} ms here (mean of {ProbeWrites}, in {directory})");
    }

    private static int CountFiles(string directory) => Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Count();

    private byte[][] NextSmall() => _smallBatches[_nextSmall++ % _smallBatches.Length];

    private byte[][] NextLarge() => _largeBatches[_nextLarge++ % _largeBatches.Length];

    // RFC 6962 Merkle Tree Hash of the batch: leaves SHA-256(0x00 || entry), then each level's
    // pairs SHA-256(0x01 || left || right), an odd last node moving up unchanged (which gives the
    // RFC's left-balanced tree): n leaf hashes and n - 1 node hashes.
    private byte[] RawRoot(byte[][] batch)
    {
        const int size = MerkleHasher.HashSize;
        var hashes = _hashes.AsSpan(0, batch.Length * size);
        var leaf = _leafInput;
        leaf[0] = 0x00;
        for (var i = 0; i < batch.Length; i++)
        {
            var entry = batch[i];
            entry.CopyTo(leaf, 1);
            SHA256.HashData(leaf.AsSpan(0, entry.Length + 1), hashes.Slice(i * size, size));
        }

        Span<byte> node = stackalloc byte[1 + (2 * size)];
        node[0] = 0x01;
        for (var count = batch.Length; count > 1; count = (count + 1) / 2)
        {
            for (var i = 0; i + 1 < count; i += 2)
            {
                hashes.Slice(i * size, 2 * size).CopyTo(node[1..]);
                SHA256.HashData(node, hashes.Slice(i / 2 * size, size));
            }

            if ((count & 1) == 1)
            {
                hashes.Slice((count - 1) * size, size).CopyTo(hashes.Slice((count - 1) / 2 * size, size));
            }
        }

        return hashes[..size].ToArray();
    }
}
