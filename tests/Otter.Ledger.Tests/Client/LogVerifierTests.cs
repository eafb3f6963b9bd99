using System.Text;
using Otter.Ledger.Client;
using Otter.Ledger.Log;
using Otter.Ledger.Merkle;
using Otter.Ledger.Notes;
using Otter.Ledger.Records;
using Otter.Ledger.Storage;
using Otter.Ledger.Tests.TestSupport;
using Otter.Trust.Keys;

namespace Otter.Ledger.Tests.Client;

/// <summary>The client's split-view defence against real logs (and forks of them) written by <see cref="TransparencyLog"/>.</summary>
public sealed class LogVerifierTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly EcdsaSigner _signer = LogBuilder.NewSigner();
    private readonly NoteKey _key;

    public LogVerifierTests()
    {
        _key = NoteKey.FromPem(LogBuilder.Origin, _signer.PublicKey.KeyValue.Public);
    }

    public void Dispose()
    {
        _signer.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Accept_NothingTrustedYet_AcceptsSignedCheckpoint()
    {
        using var log = await CreateLogAsync("a");
        await log.AppendAsync(Entries(0, 5));
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);

        var accepted = verifier.Accept(Note(log), []);

        Assert.Same(accepted, verifier.Trusted);
        Assert.Equal(5, accepted.Checkpoint.Size);
        Assert.Equal(log.Checkpoint.NoteText, accepted.NoteText);
    }

    [Fact]
    public async Task Accept_TrustedEmptyCheckpoint_AcceptsAnyGrowthWithoutProof()
    {
        using var log = await CreateLogAsync("a");
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);
        verifier.Accept(Note(log), []);
        await log.AppendAsync(Entries(0, 5));

        verifier.Accept(Note(log), []);

        Assert.Equal(5, verifier.Trusted!.Checkpoint.Size);
    }

    [Fact]
    public async Task Accept_ValidGrowthAcrossTiles_AcceptedEachTime()
    {
        using var log = await CreateLogAsync("a");
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);
        long size = 0;
        foreach (var batch in new[] { 5, 1, 250, 300, 1 })
        {
            await log.AppendAsync(Entries(size, batch));
            var proof = size == 0 ? [] : (await log.ProveConsistencyAsync(size)).Proof;

            verifier.Accept(Note(log), proof);

            size += batch;
            Assert.Equal(size, verifier.Trusted!.Checkpoint.Size);
        }
    }

    [Fact]
    public async Task Accept_SameCheckpointAgain_Accepted()
    {
        using var log = await CreateLogAsync("a");
        await log.AppendAsync(Entries(0, 5));
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);
        verifier.Accept(Note(log), []);

        verifier.Accept(Note(log), []);

        Assert.Equal(5, verifier.Trusted!.Checkpoint.Size);
    }

    [Fact]
    public async Task Accept_SameSizeDifferentRootFromForkedLog_RejectedAsSplitView()
    {
        // Two logs with the same key and origin that diverge: the log operator showing two
        // different histories to two groups of devices.
        using var a = await CreateLogAsync("a");
        using var b = await CreateLogAsync("b");
        await a.AppendAsync(Entries(0, 5));
        await b.AppendAsync([.. Entries(0, 4), [0xbb]]);
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);
        var trusted = verifier.Accept(Note(a), []);

        var ex = Assert.Throws<LedgerException>(() => verifier.Accept(Note(b), []));

        Assert.Contains("split view", ex.Message, StringComparison.Ordinal);
        Assert.Same(trusted, verifier.Trusted);
    }

    [Fact]
    public async Task Accept_LargerCheckpointOfForkedLog_RejectedAndTrustedUnchanged()
    {
        using var a = await CreateLogAsync("a");
        using var b = await CreateLogAsync("b");
        await a.AppendAsync(Entries(0, 5));
        await b.AppendAsync([.. Entries(0, 4), [0xbb]]);
        await b.AppendAsync(Entries(5, 300));
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);
        var trusted = verifier.Accept(Note(a), []);

        // The fork's own proof from 5 to 305 leads to its root of size 5, not to the trusted one.
        var proof = (await b.ProveConsistencyAsync(5)).Proof;

        Assert.Throws<ProofException>(() => verifier.Accept(Note(b), proof));
        Assert.Same(trusted, verifier.Trusted);
    }

    [Fact]
    public async Task Accept_SmallerCheckpoint_RejectedAsShrinking()
    {
        using var log = await CreateLogAsync("a");
        await log.AppendAsync(Entries(0, 5));
        var older = Note(log);
        await log.AppendAsync(Entries(5, 3));
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);
        var trusted = verifier.Accept(Note(log), []);

        var ex = Assert.Throws<LedgerException>(() => verifier.Accept(older, []));

        Assert.Contains("never shrinks", ex.Message, StringComparison.Ordinal);
        Assert.Same(trusted, verifier.Trusted);
    }

    [Fact]
    public async Task Accept_TamperedOrWrongConsistencyProof_RejectedAndTrustedUnchanged()
    {
        using var log = await CreateLogAsync("a");
        await log.AppendAsync(Entries(0, 4));
        await log.AppendAsync(Entries(4, 1));
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);
        var trusted = verifier.Accept(Note(log), []);
        await log.AppendAsync(Entries(5, 300));
        var proof = (await log.ProveConsistencyAsync(5)).Proof.ToList();
        var note = Note(log);

        var otherSizes = (await log.ProveConsistencyAsync(4)).Proof.ToList();
        List<List<byte[]>> wrongProofs =
        [
            [],
            proof.Take(proof.Count - 1).ToList(),
            [.. proof, proof[0]],
            [ProofAssertions.Flip(proof[0], 7), .. proof.Skip(1)],
            [.. proof.Take(proof.Count - 1), ProofAssertions.Flip(proof[^1], 255)],
            otherSizes,
        ];

        foreach (var wrong in wrongProofs)
        {
            Assert.Throws<ProofException>(() => verifier.Accept(note, wrong));
            Assert.Same(trusted, verifier.Trusted);
        }

        verifier.Accept(note, proof);
        Assert.Equal(305, verifier.Trusted!.Checkpoint.Size);
    }

    [Fact]
    public async Task Accept_CheckpointOfAnotherOrigin_Rejected()
    {
        using var other = await CreateLogAsync("other", "other.example/log");
        await other.AppendAsync(Entries(0, 2));
        var sameKeyOtherName = NoteKey.FromPem("other.example/log", _signer.PublicKey.KeyValue.Public);

        var unknownName = Assert.Throws<LedgerException>(() => new LogVerifier(LogBuilder.Origin, [_key]).Accept(Note(other), []));
        var wrongOrigin = Assert.Throws<LedgerException>(() => new LogVerifier(LogBuilder.Origin, [_key, sameKeyOtherName]).Accept(Note(other), []));

        Assert.Contains("no signature by a trusted key", unknownName.Message, StringComparison.Ordinal);
        Assert.Contains("other.example/log", wrongOrigin.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_SignedByUnknownKey_RejectedAsNoTrustedSignature()
    {
        using var log = await CreateLogAsync("a");
        await log.AppendAsync(Entries(0, 2));
        using var stranger = LogBuilder.NewSigner();
        var verifier = new LogVerifier(LogBuilder.Origin, [NoteKey.FromPem(LogBuilder.Origin, stranger.PublicKey.KeyValue.Public)]);

        var ex = Assert.Throws<LedgerException>(() => verifier.Accept(Note(log), []));

        Assert.Contains("no signature by a trusted key", ex.Message, StringComparison.Ordinal);
        Assert.Null(verifier.Trusted);
    }

    [Fact]
    public async Task Accept_TrustedKeysSignatureDamaged_Rejected()
    {
        using var log = await CreateLogAsync("a");
        await log.AppendAsync(Entries(0, 2));
        var text = log.Checkpoint.NoteText;
        var lastSpace = text.LastIndexOf(' ');
        var payload = Convert.FromBase64String(text[(lastSpace + 1)..^1]);
        payload[10] ^= 0x40;
        var damaged = text[..(lastSpace + 1)] + Convert.ToBase64String(payload) + "\n";
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);

        Assert.Throws<LedgerException>(() => verifier.Accept(Encoding.UTF8.GetBytes(damaged), []));
        Assert.Null(verifier.Trusted);
    }

    [Fact]
    public async Task Accept_WitnessCosignatureBesideLogSignature_Accepted()
    {
        using var log = await CreateLogAsync("a");
        await log.AppendAsync(Entries(0, 2));
        using var witness = LogBuilder.NewSigner();
        var text = log.Checkpoint.Checkpoint.ToText();
        var cosignature = SignedNote.Sign(text, "witness.example/w1", witness)[(text.Length + 1)..];
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);

        verifier.Accept(Encoding.UTF8.GetBytes(log.Checkpoint.NoteText + cosignature), []);

        Assert.Equal(2, verifier.Trusted!.Checkpoint.Size);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("test.example/otter-log\n5\n\n")]
    [InlineData("test.example/otter-log\n5\nAAAA\n\n\u2014 test.example/otter-log AAAAAAAAAAAA\n")]
    public void Accept_Garbage_ThrowsLedgerException(string note)
    {
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);

        Assert.ThrowsAny<LedgerException>(() => verifier.Accept(Encoding.UTF8.GetBytes(note), []));
        Assert.Null(verifier.Trusted);
    }

    [Fact]
    public async Task VerifyInclusion_ReleaseRecordUnderTrustedCheckpoint_Verifies()
    {
        using var log = await CreateLogAsync("a");
        await log.AppendAsync(Entries(0, 300));
        var release = Release("1.4.2");
        var appended = await log.AppendAsync([release.ToEntry(), .. Entries(301, 9)]);
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);
        verifier.Accept(Note(log), []);
        var index = log.FindIndex(MerkleHasher.HashLeaf(release.ToEntry()))!.Value;
        var proof = await log.ProveInclusionAsync(index, verifier.Trusted!.Checkpoint.Size);

        verifier.VerifyInclusion(release.ToEntry(), index, proof.Proof);

        Assert.Equal(appended.FirstIndex, index);
        Assert.Throws<ProofException>(() => verifier.VerifyInclusion(Release("1.4.3").ToEntry(), index, proof.Proof));
        Assert.Throws<ProofException>(() => verifier.VerifyInclusion(release.ToEntry(), index + 1, proof.Proof));
        Assert.Throws<ProofException>(() => verifier.VerifyInclusion(release.ToEntry(), index, proof.Proof.Skip(1).ToList()));
    }

    [Fact]
    public async Task VerifyInclusion_ProofForAnotherTreeSize_Rejected()
    {
        using var log = await CreateLogAsync("a");
        await log.AppendAsync(Entries(0, 5));
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);
        verifier.Accept(Note(log), []);
        await log.AppendAsync(Entries(5, 7));

        var newer = await log.ProveInclusionAsync(2);

        Assert.Throws<ProofException>(() => verifier.VerifyInclusion(Entries(0, 5)[2], 2, newer.Proof));
        var older = await log.ProveInclusionAsync(2, 5);
        verifier.VerifyInclusion(Entries(0, 5)[2], 2, older.Proof);
    }

    [Fact]
    public void VerifyInclusion_NothingTrustedYet_ThrowsLedgerException()
    {
        var verifier = new LogVerifier(LogBuilder.Origin, [_key]);

        Assert.Throws<LedgerException>(() => verifier.VerifyInclusion([1], 0, []));
    }

    [Fact]
    public async Task Constructor_TrustedCheckpointOfAnotherOrigin_Throws()
    {
        using var other = await CreateLogAsync("other", "other.example/log");

        Assert.Throws<ArgumentException>(() => new LogVerifier(LogBuilder.Origin, [_key], other.Checkpoint));
        Assert.Throws<ArgumentException>(() => new LogVerifier(LogBuilder.Origin, []));
        Assert.Throws<ArgumentException>(() => new LogVerifier(string.Empty, [_key]));
    }

    [Fact]
    public async Task Constructor_PersistedTrustedCheckpoint_ContinuesFromIt()
    {
        using var log = await CreateLogAsync("a");
        await log.AppendAsync(Entries(0, 5));
        var persisted = SignedCheckpoint.Verify(Note(log), LogBuilder.Origin, [_key]);
        await log.AppendAsync(Entries(5, 5));
        var verifier = new LogVerifier(LogBuilder.Origin, [_key], persisted);

        Assert.Throws<ProofException>(() => verifier.Accept(Note(log), []));
        var proof = await log.ProveConsistencyAsync(5);
        verifier.Accept(Note(log), proof.Proof);

        Assert.Equal(10, verifier.Trusted!.Checkpoint.Size);
    }

    private static byte[] Note(TransparencyLog log) => Encoding.UTF8.GetBytes(log.Checkpoint.NoteText);

    private static List<byte[]> Entries(long first, int count) =>
        Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes($"entry {first + i}")).ToList();

    private static ReleaseRecord Release(string version) => new()
    {
        Name = "firmware/gateway.bin",
        Version = version,
        Sha256 = new string('a', 64),
        Length = 1048576,
        SecurityCounter = 7,
        Hardware = "gw-rev-c",
        Kind = "firmware",
    };

    private Task<TransparencyLog> CreateLogAsync(string name, string origin = LogBuilder.Origin) =>
        TransparencyLog.CreateAsync(new DirectoryLogStorage(_temp.CreateSubdirectory(name)), origin, _signer);
}
