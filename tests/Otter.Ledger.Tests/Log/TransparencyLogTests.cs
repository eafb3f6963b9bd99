using System.Text;
using System.Text.Json;
using Otter.Ledger.Log;
using Otter.Ledger.Merkle;
using Otter.Ledger.Notes;
using Otter.Ledger.Storage;
using Otter.Ledger.Tests.TestSupport;
using Otter.Trust.Keys;

namespace Otter.Ledger.Tests.Log;

/// <summary>The writer's behaviour on creation, opening and bad input.</summary>
public sealed class TransparencyLogTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly EcdsaSigner _signer = LogBuilder.NewSigner();

    public void Dispose()
    {
        _signer.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task CreateAsync_EmptyDirectory_WritesConfigAndSignedSizeZeroCheckpoint()
    {
        using var signer = LogBuilder.NewSigner();

        using var log = await TransparencyLog.CreateAsync(new DirectoryLogStorage(_temp.Path), LogBuilder.Origin, signer);

        var key = NoteKey.FromPem(LogBuilder.Origin, signer.PublicKey.KeyValue.Public);
        using var config = JsonDocument.Parse(File.ReadAllBytes(_temp.Combine("log.json")));
        Assert.Equal(LogBuilder.Origin, config.RootElement.GetProperty("origin").GetString());
        Assert.Equal(key.VerifierKey, config.RootElement.GetProperty("verifier_key").GetString());
        Assert.Equal(signer.PublicKey.KeyValue.Public, config.RootElement.GetProperty("public_key").GetString());
        var checkpoint = SignedCheckpoint.Verify(File.ReadAllBytes(_temp.Combine("checkpoint")), LogBuilder.Origin, [key]);
        Assert.Equal(0, checkpoint.Checkpoint.Size);
        Assert.Equal(ReferenceMerkle.EmptyRoot(), checkpoint.Checkpoint.RootHash);
        Assert.Equal(0, log.Size);
        Assert.Equal(key.KeyId, log.Key.KeyId);
    }

    [Fact]
    public async Task CreateAsync_ExistingLog_RefusedAndLeavesItUntouched()
    {
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using (signer)
        using (log)
        {
            await log.AppendAsync([[1, 2, 3]]);
        }

        var before = Snapshot();
        using var other = LogBuilder.NewSigner();

        var ex = await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.CreateAsync(new DirectoryLogStorage(_temp.Path), LogBuilder.Origin, other));

        Assert.Contains("already exists", ex.Message, StringComparison.Ordinal);
        AssertSnapshot(before);
    }

    [Fact]
    public async Task CreateAsync_OnlyACheckpointPresent_Refused()
    {
        File.WriteAllText(_temp.Combine("checkpoint"), "anything");
        using var signer = LogBuilder.NewSigner();

        await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.CreateAsync(new DirectoryLogStorage(_temp.Path), LogBuilder.Origin, signer));
        Assert.False(File.Exists(_temp.Combine("log.json")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("a+b")]
    public async Task CreateAsync_InvalidOrigin_ThrowsLogStateExceptionAndWritesNoLog(string origin)
    {
        using var signer = LogBuilder.NewSigner();

        await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.CreateAsync(new DirectoryLogStorage(_temp.Path), origin, signer));

        Assert.False(File.Exists(_temp.Combine("log.json")));
        Assert.False(File.Exists(_temp.Combine("checkpoint")));
    }

    [Fact]
    public async Task OpenAsync_NoLog_ThrowsLogStateException()
    {
        var ex = await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null));

        Assert.Contains("log.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_WrongKey_ThrowsLogStateException()
    {
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using (signer)
        using (log)
        {
            await log.AppendAsync([[1]]);
        }

        using var wrong = LogBuilder.NewSigner("wrong-key");
        var ex = await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), wrong));

        Assert.Contains("is not this log's key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("wrong-key", ex.Message, StringComparison.Ordinal);

        // The lock was released: the right key still opens it.
        using var right = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer);
        Assert.Equal(1, right.Size);
    }

    [Fact]
    public async Task OpenAsync_SecondWriterWhileFirstOpen_ThrowsLogStateException()
    {
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using var disposeSigner = signer;
        using (log)
        {
            await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer));

            using var reader = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null);
            Assert.Equal(0, reader.Size);
        }

        using var afterDispose = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer);
        Assert.Equal(0, afterDispose.Size);
    }

    [Fact]
    public async Task AppendAsync_ReadOnlyLog_ThrowsLogStateException()
    {
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using (signer)
        using (log)
        {
        }

        using var reader = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null);
        var before = Snapshot();

        await Assert.ThrowsAsync<LogStateException>(() => reader.AppendAsync([[1]]));
        AssertSnapshot(before);
    }

    [Fact]
    public async Task AppendAsync_EmptyBatch_ThrowsAndWritesNothing()
    {
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using var disposeSigner = signer;
        using var disposeLog = log;
        await log.AppendAsync([[1]]);
        var before = Snapshot();

        await Assert.ThrowsAsync<LogStateException>(() => log.AppendAsync([]));

        AssertSnapshot(before);
        Assert.Equal(1, log.Size);
    }

    [Fact]
    public async Task AppendAsync_EntryOver65535Bytes_ThrowsAndWritesNothing()
    {
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using var disposeSigner = signer;
        using var disposeLog = log;
        await log.AppendAsync([[1]]);
        var before = Snapshot();
        var checkpoint = log.Checkpoint;

        var ex = await Assert.ThrowsAsync<LogStateException>(() => log.AppendAsync([[2], new byte[TransparencyLog.MaxEntryLength + 1]]));

        Assert.Contains("entry 2", ex.Message, StringComparison.Ordinal);
        AssertSnapshot(before);
        Assert.Equal(1, log.Size);
        Assert.Same(checkpoint, log.Checkpoint);
    }

    [Fact]
    public async Task AppendAsync_EntriesOfMaximumAndZeroLength_StoredAndReadBack()
    {
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using var disposeSigner = signer;
        using var disposeLog = log;
        var largest = new byte[TransparencyLog.MaxEntryLength];
        new Random(4).NextBytes(largest);

        await log.AppendAsync([largest, []]);

        Assert.Equal(largest, await log.ReadEntryAsync(0));
        Assert.Empty(await log.ReadEntryAsync(1));
        Assert.Equal(new ReferenceMerkle([ReferenceMerkle.LeafHash(largest), ReferenceMerkle.LeafHash([])]).Root(2), log.Checkpoint.Checkpoint.RootHash);
    }

    [Fact]
    public async Task OpenAsync_TruncatedPartialTile_ThrowsNamingTheTile()
    {
        await BuildAsync(300);
        TruncateFile("tile/0/001.p/44");

        var ex = await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null));

        Assert.Contains("tile/0/001.p/44", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_MissingPartialTile_ThrowsNamingTheTile()
    {
        await BuildAsync(300);
        File.Delete(_temp.Combine("tile/1/000.p/1"));

        var ex = await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null));

        Assert.Contains("tile/1/000.p/1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_TruncatedPartialBundle_ThrowsNamingTheBundle()
    {
        await BuildAsync(300);
        TruncateFile("tile/entries/001.p/44");

        var ex = await Assert.ThrowsAsync<LedgerException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null));

        Assert.Contains("tile/entries/001.p/44", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_PartialTileWithOtherHashes_ThrowsRootMismatch()
    {
        await BuildAsync(300);
        var path = _temp.Combine("tile/0/001.p/44");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);

        var ex = await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null));

        Assert.Contains("do not hash to its checkpoint's root", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProveInclusionAsync_TruncatedFullTile_ThrowsNamingTheTile()
    {
        var builder = await BuildAsync(600);
        TruncateFile("tile/0/000");
        using var log = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null);

        var ex = await Assert.ThrowsAsync<LedgerException>(() => log.ProveInclusionAsync(3));

        Assert.Contains("tile/0/000", ex.Message, StringComparison.Ordinal);
        var unaffected = await log.ProveInclusionAsync(599);
        MerkleVerifier.VerifyInclusion(599, 600, builder.Reference.Leaves[599], unaffected.Proof, builder.Reference.Root(600));
    }

    [Fact]
    public async Task ReadEntryAsync_TruncatedFullBundle_ThrowsNamingTheBundle()
    {
        await BuildAsync(300);
        TruncateFile("tile/entries/000");
        using var log = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null);

        var ex = await Assert.ThrowsAsync<LedgerException>(() => log.ReadEntryAsync(5));

        Assert.Contains("tile/entries/000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_CheckpointSignedByAnotherKey_ThrowsLogStateException()
    {
        var builder = await BuildAsync(5);
        using var other = LogBuilder.NewSigner();
        var forged = SignedNote.Sign(new Checkpoint(LogBuilder.Origin, 5, builder.Reference.Root(5), []).ToText(), LogBuilder.Origin, other);
        File.WriteAllText(_temp.Combine("checkpoint"), forged);

        var ex = await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null));

        Assert.Contains("no signature by a trusted key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_GarbageCheckpoint_ThrowsLogStateException()
    {
        await BuildAsync(5);
        File.WriteAllText(_temp.Combine("checkpoint"), "garbage\n\n");

        await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null));
    }

    [Fact]
    public async Task OpenAsync_MissingCheckpoint_ThrowsLogStateException()
    {
        await BuildAsync(5);
        File.Delete(_temp.Combine("checkpoint"));

        var ex = await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null));

        Assert.Contains("checkpoint is missing", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"origin\":\"test.example/otter-log\"}")]
    [InlineData("{\"origin\":\"test.example/otter-log\",\"verifier_key\":\"x\",\"public_key\":\"not a key\"}")]
    public async Task OpenAsync_DamagedConfig_ThrowsLogStateException(string config)
    {
        await BuildAsync(5);
        File.WriteAllText(_temp.Combine("log.json"), config);

        var ex = await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null));

        Assert.Contains("log.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_ConfigForAnotherOrigin_ThrowsLogStateException()
    {
        await BuildAsync(5);
        var path = _temp.Combine("log.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace(LogBuilder.Origin, "other.example/log", StringComparison.Ordinal));

        await Assert.ThrowsAsync<LogStateException>(() => TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null));
    }

    [Fact]
    public async Task OpenAsync_WithSigner_CutsLeafIndexRecordsBeyondCheckpoint()
    {
        var builder = await BuildAsync(5);
        using (var stream = File.Open(_temp.Combine("leaf-index"), FileMode.Append))
        {
            stream.Write(new byte[LogPaths.LeafIndexRecord * 2]);
        }

        using (var reader = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null))
        {
            Assert.Null(reader.FindIndex(new byte[32]));
        }

        Assert.Equal(7 * LogPaths.LeafIndexRecord, new FileInfo(_temp.Combine("leaf-index")).Length);
        using var writer = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), _signer);

        Assert.Equal(5 * LogPaths.LeafIndexRecord, new FileInfo(_temp.Combine("leaf-index")).Length);
        Assert.Equal(4, writer.FindIndex(builder.Reference.Leaves[4]));
    }

    [Fact]
    public async Task FindIndex_UnknownOrWrongLengthHash_NullOrThrows()
    {
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using var disposeSigner = signer;
        using var disposeLog = log;

        Assert.Null(log.FindIndex(new byte[32]));
        await log.AppendAsync([[1], [2]]);
        Assert.Null(log.FindIndex(ReferenceMerkle.LeafHash([3])));
        Assert.Equal(1, log.FindIndex(ReferenceMerkle.LeafHash([2])));
        Assert.Throws<LedgerException>(() => log.FindIndex(new byte[31]));
    }

    [Fact]
    public async Task FindIndex_DuplicateEntry_ReturnsFirstIndex()
    {
        var (log, signer) = await LogBuilder.CreateAsync(_temp.Path);
        using var disposeSigner = signer;
        using var disposeLog = log;

        await log.AppendAsync([[7], [8]]);
        await log.AppendAsync([[7]]);

        Assert.Equal(0, log.FindIndex(ReferenceMerkle.LeafHash([7])));
        Assert.Equal(3, log.Size);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(3L)]
    public async Task ReadEntryAsync_IndexOutsideLog_ThrowsLedgerException(long index)
    {
        await BuildAsync(3);
        using var log = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null);

        await Assert.ThrowsAsync<LedgerException>(() => log.ReadEntryAsync(index));
    }

    [Fact]
    public async Task ProveInclusionAndConsistencyAsync_SizesOutsideLog_ThrowLedgerException()
    {
        await BuildAsync(3);
        using var log = await TransparencyLog.OpenAsync(new DirectoryLogStorage(_temp.Path), signer: null);

        await Assert.ThrowsAsync<LedgerException>(() => log.ProveInclusionAsync(3));
        await Assert.ThrowsAsync<LedgerException>(() => log.ProveInclusionAsync(0, 4));
        await Assert.ThrowsAsync<LedgerException>(() => log.ProveConsistencyAsync(0));
        await Assert.ThrowsAsync<LedgerException>(() => log.ProveConsistencyAsync(2, 4));
    }

    private async Task<LogBuilder> BuildAsync(int size)
    {
        var builder = new LogBuilder(new Random(size));
        using var log = await TransparencyLog.CreateAsync(new DirectoryLogStorage(_temp.Path), LogBuilder.Origin, _signer);
        await builder.AppendRandomBatchesAsync(log, size);
        return builder;
    }

    private void TruncateFile(string relative)
    {
        var path = _temp.Combine(relative);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^1]);
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories)
            .ToDictionary(
                f => Path.GetRelativePath(_temp.Path, f),
                f => Path.GetFileName(f) == ".otter-lock" ? "(the writer lock, held open)" : Convert.ToHexString(File.ReadAllBytes(f)),
                StringComparer.Ordinal);

    private void AssertSnapshot(Dictionary<string, string> before) => Assert.Equal(before, Snapshot());
}
