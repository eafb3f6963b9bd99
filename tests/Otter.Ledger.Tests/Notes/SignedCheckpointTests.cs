using System.Text;
using Otter.Ledger.Notes;
using Otter.Trust.Keys;

namespace Otter.Ledger.Tests.Notes;

public sealed class SignedCheckpointTests : IDisposable
{
    private const string Origin = "test.example/otter-log";

    private readonly EcdsaSigner _signer = new(EcdsaP256.Generate(), "log-key");
    private readonly NoteKey _key;
    private readonly byte[] _root = new byte[32];

    public SignedCheckpointTests()
    {
        _key = NoteKey.FromPem(Origin, _signer.PublicKey.KeyValue.Public);
        new Random(2).NextBytes(_root);
    }

    public void Dispose() => _signer.Dispose();

    [Fact]
    public void Verify_SignedByTrustedKey_ReturnsCheckpointAndNote()
    {
        var note = SignedNote.Sign(new Checkpoint(Origin, 9, _root, []).ToText(), Origin, _signer);

        var verified = SignedCheckpoint.Verify(Encoding.UTF8.GetBytes(note), Origin, [_key]);

        Assert.Equal(9, verified.Checkpoint.Size);
        Assert.Equal(_root, verified.Checkpoint.RootHash);
        Assert.Equal(note, verified.NoteText);
    }

    [Fact]
    public void Verify_CheckpointOfAnotherOrigin_Rejected()
    {
        // Signed by the right key under the right name, but the checkpoint body names another log.
        var note = SignedNote.Sign(new Checkpoint("other.example/log", 9, _root, []).ToText(), Origin, _signer);

        var ex = Assert.Throws<LedgerException>(() => SignedCheckpoint.Verify(Encoding.UTF8.GetBytes(note), Origin, [_key]));

        Assert.Contains("other.example/log", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ExpectingAnotherOrigin_Rejected()
    {
        var note = SignedNote.Sign(new Checkpoint(Origin, 9, _root, []).ToText(), Origin, _signer);

        Assert.Throws<LedgerException>(() => SignedCheckpoint.Verify(Encoding.UTF8.GetBytes(note), "other.example/log", [_key]));
    }

    [Fact]
    public void Verify_SignedByUnknownKey_RejectedAsNoTrustedSignature()
    {
        using var stranger = new EcdsaSigner(EcdsaP256.Generate(), "stranger");
        var note = SignedNote.Sign(new Checkpoint(Origin, 9, _root, []).ToText(), Origin, stranger);

        var ex = Assert.Throws<LedgerException>(() => SignedCheckpoint.Verify(Encoding.UTF8.GetBytes(note), Origin, [_key]));

        Assert.Contains("no signature by a trusted key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SignedTextNotACheckpoint_Rejected()
    {
        var note = SignedNote.Sign($"{Origin}\n09\n{Convert.ToBase64String(_root)}\n", Origin, _signer);

        Assert.Throws<LedgerException>(() => SignedCheckpoint.Verify(Encoding.UTF8.GetBytes(note), Origin, [_key]));
    }
}
