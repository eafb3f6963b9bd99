using Otter.Ledger.Log;
using Otter.Ledger.Merkle;
using Otter.Ledger.Storage;
using Otter.Ledger.Tests.TestSupport;
using Otter.Trust.Keys;

namespace Otter.Ledger.Tests.Log;

/// <summary>
/// Crashes at every mutating storage call of an append (each tile and bundle write, the leaf
/// index append, the checkpoint write), before or after the call takes effect. After each, a
/// fresh instance must open the log at its last durable checkpoint with every acknowledged
/// entry exactly once and nothing else visible, and carry on appending with valid proofs.
/// </summary>
public sealed class TransparencyLogCrashTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly EcdsaSigner _signer = LogBuilder.NewSigner();

    public void Dispose()
    {
        _signer.Dispose();
        _temp.Dispose();
    }

    /// <summary>Entries already in the log, the acknowledged batch, the failing batch, and when the fault strikes.</summary>
    public static TheoryData<int, int, int, FaultTiming> Scenarios()
    {
        var data = new TheoryData<int, int, int, FaultTiming>();
        foreach (var timing in new[] { FaultTiming.BeforeWrite, FaultTiming.AfterWrite })
        {
            data.Add(0, 3, 4, timing);         // everything in partial tiles
            data.Add(0, 250, 300, timing);     // the failing batch fills two tiles and starts level 1
            data.Add(200, 56, 1, timing);      // acknowledged exactly at a tile boundary
            data.Add(65000, 530, 10, timing);  // the failing batch completes a level-1 tile and starts level 2
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task AppendAsync_FaultAtEveryMutatingCall_ReopensWithExactlyTheAcknowledgedEntries(int existing, int acknowledged, int failing, FaultTiming timing)
    {
        var builder = new LogBuilder(new Random(existing + acknowledged + failing));
        var directory = _temp.Path;
        using (var log = await TransparencyLog.CreateAsync(new DirectoryLogStorage(directory), LogBuilder.Origin, _signer))
        {
            await builder.AppendRandomBatchesAsync(log, existing);
        }

        var initial = Snapshot(directory);
        var acknowledgedBatch = builder.NewEntries(existing, acknowledged);
        var failingBatch = builder.NewEntries(existing + acknowledged, failing, tag: 1);
        var laterBatch = builder.NewEntries(existing + acknowledged, failing + 2, tag: 2);
        var faulted = new List<string>();
        for (var k = 1; ; k++)
        {
            Restore(directory, initial);
            var storage = new FaultInjectingLogStorage(new DirectoryLogStorage(directory));
            var completed = false;
            using (var log = await TransparencyLog.OpenAsync(storage, _signer))
            {
                await log.AppendAsync(acknowledgedBatch);
                storage.Arm(k, timing);
                try
                {
                    await log.AppendAsync(failingBatch);
                    completed = true;
                }
                catch (IOException) when (storage.FaultedPath is not null)
                {
                    faulted.Add(storage.FaultedPath);
                }
            }

            if (completed)
            {
                // k went past the last mutating call: every one of them was faulted once.
                Assert.Equal(k - 1, storage.Mutations.Count);
                Assert.Equal(storage.Mutations, faulted);
                break;
            }

            // The failed batch is in the log only if its checkpoint reached the disk.
            var landed = timing == FaultTiming.AfterWrite && storage.FaultedPath == "checkpoint";
            var model = Model(builder, existing, acknowledgedBatch, landed ? failingBatch : null);
            var what = $"fault {timing} at mutating call {k} ({storage.FaultedPath})";
            try
            {
                await AssertRecoveredAsync(directory, model, landed ? [] : failingBatch, laterBatch, what, existing + acknowledged + failing);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"after a {what}: {ex.Message}", ex);
            }
        }

        Assert.Contains("checkpoint", faulted);
        Assert.Contains(LogPaths.LeafIndex, faulted);
        Assert.Contains(faulted, p => p.StartsWith("tile/entries/", StringComparison.Ordinal));
        Assert.Contains(faulted, p => p.StartsWith("tile/0/", StringComparison.Ordinal));
        Assert.Equal(faulted.Count - 1, faulted.IndexOf("checkpoint"));
    }

    [Theory]
    [InlineData(FaultTiming.BeforeWrite)]
    [InlineData(FaultTiming.AfterWrite)]
    public async Task AppendAsync_SameInstanceAfterEarlyFault_RetrySucceeds(FaultTiming timing)
    {
        var builder = new LogBuilder(new Random(9));
        var storage = new FaultInjectingLogStorage(new DirectoryLogStorage(_temp.Path));
        using (var log = await TransparencyLog.CreateAsync(storage, LogBuilder.Origin, _signer))
        {
            await builder.AppendAsync(log, builder.NewEntries(0, 250));
            var batch = builder.NewEntries(250, 20);
            storage.ArmOnPath(LogPaths.LeafIndex, timing);
            await Assert.ThrowsAsync<IOException>(() => log.AppendAsync(batch));
            Assert.Equal(250, log.Size);

            await builder.AppendAsync(log, batch);
            Assert.Equal(builder.Reference.Root(270), log.Checkpoint.Checkpoint.RootHash);
        }

        using var reopened = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), _signer);
        Assert.Equal(270, reopened.Size);
        TileAssertions.MatchReference(_temp.Path, builder, [270]);
    }

    [Fact]
    public async Task AppendAsync_SameInstanceAfterCheckpointWriteFailedLate_RefusesUntilReopened()
    {
        // The checkpoint reached the disk (and may have been served) but the writer saw an
        // error. Appending another batch from the old state would sign a second tree of the
        // same size: the log itself would show a split view.
        var builder = new LogBuilder(new Random(10));
        var storage = new FaultInjectingLogStorage(new DirectoryLogStorage(_temp.Path));
        var landed = builder.NewEntries(5, 3, tag: 1);
        var other = builder.NewEntries(5, 3, tag: 2);
        using (var log = await TransparencyLog.CreateAsync(storage, LogBuilder.Origin, _signer))
        {
            await builder.AppendAsync(log, builder.NewEntries(0, 5));
            storage.ArmOnPath("checkpoint", FaultTiming.AfterWrite);
            await Assert.ThrowsAsync<IOException>(() => log.AppendAsync(landed));

            var ex = await Assert.ThrowsAsync<LogStateException>(() => log.AppendAsync(other));
            Assert.Contains("open the log again", ex.Message, StringComparison.Ordinal);
        }

        builder.Acknowledge(landed);
        using var reopened = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), _signer);
        Assert.Equal(8, reopened.Size);
        Assert.Equal(builder.Reference.Root(8), reopened.Checkpoint.Checkpoint.RootHash);
        await builder.AppendAsync(reopened, other);
        var consistency = await reopened.ProveConsistencyAsync(8);
        MerkleVerifier.VerifyConsistency(8, 11, consistency.Proof, builder.Reference.Root(8), builder.Reference.Root(11));
    }

    private static LogBuilder Model(LogBuilder template, int existing, List<byte[]> acknowledged, List<byte[]>? landed)
    {
        var model = new LogBuilder(new Random(0));
        model.PublishedSizes.Clear();
        model.PublishedSizes.AddRange(template.PublishedSizes);
        model.Entries.AddRange(template.Entries.Take(existing));
        foreach (var entry in model.Entries)
        {
            model.Reference.AddEntry(entry);
        }

        model.Acknowledge(acknowledged);
        if (landed is not null)
        {
            model.Acknowledge(landed);
        }

        return model;
    }

    private async Task AssertRecoveredAsync(string directory, LogBuilder model, List<byte[]> absent, List<byte[]> later, string what, long failedSize)
    {
        var size = model.Entries.Count;
        var random = new Random(size);
        // Every entry of a small log; for a large one the recent entries and a random sample
        // (each lookup scans the index; the index is checked record by record further down).
        var sampled = size <= 1000
            ? Enumerable.Range(0, size).ToList()
            : Enumerable.Range(size - 40, 40).Concat(Enumerable.Range(0, 20).Select(_ => random.Next(size))).ToList();

        // A reader sees exactly the acknowledged entries, even while index records of the
        // failed batch are still on disk.
        using (var reader = await TransparencyLog.OpenAsync(new DirectoryLogStorage(directory), signer: null))
        {
            Assert.True(size == reader.Size, $"{what}: size {reader.Size}, expected {size}");
            Assert.Equal(model.Reference.Root(size), reader.Checkpoint.Checkpoint.RootHash);
            foreach (var i in sampled)
            {
                Assert.True(reader.FindIndex(model.Reference.Leaves[i]) == i, $"{what}: entry {i} not found at its index");
            }

            foreach (var entry in absent)
            {
                Assert.True(reader.FindIndex(ReferenceMerkle.LeafHash(entry)) is null, $"{what}: an entry of the failed batch is visible");
            }
        }

        // The writer reopens, appends again over the failed batch's positions, and every
        // proof checks out against the reference.
        using var writer = await TransparencyLog.OpenAsync(new DirectoryLogStorage(directory), _signer);
        Assert.Equal(size, writer.Size);
        await model.AppendAsync(writer, later);
        var final = model.Entries.Count;
        Assert.Equal(model.Reference.Root(final), writer.Checkpoint.Checkpoint.RootHash);
        TileAssertions.MatchReference(directory, model, [failedSize]);
        foreach (var i in sampled.Concat(Enumerable.Range(size, later.Count)))
        {
            var proof = await writer.ProveInclusionAsync(i);
            MerkleVerifier.VerifyInclusion(i, final, model.Reference.Leaves[i], proof.Proof, model.Reference.Root(final));
        }

        foreach (var earlier in model.PublishedSizes.Where(s => s > 0).TakeLast(4))
        {
            var proof = await writer.ProveConsistencyAsync(earlier);
            Assert.Equal(model.Reference.ConsistencyProof(earlier, final), proof.Proof);
            MerkleVerifier.VerifyConsistency(earlier, final, proof.Proof, model.Reference.Root(earlier), model.Reference.Root(final));
        }

        for (var i = size; i < final; i++)
        {
            Assert.Equal(model.Entries[i], await writer.ReadEntryAsync(i));
        }
    }

    // The directory's files (the writer lock aside) by relative path. Restoring a snapshot
    // instead of copying a fresh directory for every fault keeps file creation (slow on some
    // file systems) down to the files an append adds.
    private static Dictionary<string, byte[]> Snapshot(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != ".otter-lock")
            .ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes, StringComparer.Ordinal);

    private static void Restore(string directory, Dictionary<string, byte[]> snapshot)
    {
        foreach (var (relative, bytes) in Snapshot(directory))
        {
            if (!snapshot.TryGetValue(relative, out var wanted))
            {
                File.Delete(Path.Combine(directory, relative));
            }
            else if (!wanted.AsSpan().SequenceEqual(bytes))
            {
                File.WriteAllBytes(Path.Combine(directory, relative), wanted);
            }
        }

        foreach (var (relative, bytes) in snapshot)
        {
            var path = Path.Combine(directory, relative);
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, bytes);
            }
        }

        Assert.Equal(snapshot.Keys.Order(StringComparer.Ordinal), Snapshot(directory).Keys.Order(StringComparer.Ordinal));
    }
}
