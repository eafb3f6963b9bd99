using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Otter.Ledger.Notes;
using Otter.Trust.Keys;

namespace Otter.Ledger.Tests.Notes;

public sealed class SignedNoteTests : IDisposable
{
    private const string Name = "test.example/otter-log";
    private const string Text = "test.example/otter-log\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";

    private readonly EcdsaSigner _signer;
    private readonly NoteKey _noteKey;

    public SignedNoteTests()
    {
        _signer = new EcdsaSigner(EcdsaP256.Generate(), "note-key");
        _noteKey = NoteKey.FromPem(Name, _signer.PublicKey.KeyValue.Public);
    }

    public void Dispose()
    {
        _signer.Dispose();
    }

    [Fact]
    public void Sign_Text_AppendsBlankLineAndEmDashSignatureLine()
    {
        var note = SignedNote.Sign(Text, Name, _signer);

        Assert.StartsWith(Text + "\n\u2014 " + Name + " ", note, StringComparison.Ordinal);
        Assert.EndsWith("\n", note, StringComparison.Ordinal);
        Assert.Single(note[(Text.Length + 1)..].TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Sign_Text_SignatureIsKeyIdThenDerEcdsaSha256OverTheText()
    {
        var note = SignedNote.Sign(Text, Name, _signer);
        var line = note[(Text.Length + 1)..^1];
        var payload = Convert.FromBase64String(line[(line.LastIndexOf(' ') + 1)..]);
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(_signer.PublicKey.KeyValue.Public);
        var spki = publicKey.ExportSubjectPublicKeyInfo();

        Assert.Equal(SHA256.HashData(spki)[..4], payload[..4]);
        Assert.True(publicKey.VerifyData(Encoding.UTF8.GetBytes(Text), payload[4..], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Parse_SignedNote_ReturnsTextAndSignatures()
    {
        var note = SignedNote.Parse(Encoding.UTF8.GetBytes(SignedNote.Sign(Text, Name, _signer)));

        Assert.Equal(Text, note.Text);
        var signature = Assert.Single(note.Signatures);
        Assert.Equal(Name, signature.Name);
        Assert.Equal(_noteKey.KeyId, signature.KeyId);
    }

    [Fact]
    public void Verify_TrustedKeySigned_ReturnsThatKey()
    {
        var note = SignedNote.Parse(Encoding.UTF8.GetBytes(SignedNote.Sign(Text, Name, _signer)));

        Assert.Same(_noteKey, Assert.Single(note.Verify([_noteKey])));
    }

    [Fact]
    public void Verify_OnlyUnknownSigner_RejectedAsNoTrustedSignature()
    {
        using var other = new EcdsaSigner(EcdsaP256.Generate(), "other");
        var note = SignedNote.Parse(Encoding.UTF8.GetBytes(SignedNote.Sign(Text, Name, other)));

        var ex = Assert.Throws<LedgerException>(() => note.Verify([_noteKey]));

        Assert.Contains("no signature by a trusted key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_UnknownSignerBesideTrustedOne_IgnoredAndVerifies()
    {
        using var witness = new EcdsaSigner(EcdsaP256.Generate(), "witness");
        var byWitness = SignedNote.Sign(Text, "witness.example", witness);
        var byLog = SignedNote.Sign(Text, Name, _signer);
        var both = Text + "\n" + byWitness[(Text.Length + 1)..] + byLog[(Text.Length + 1)..];

        var note = SignedNote.Parse(Encoding.UTF8.GetBytes(both));

        Assert.Equal(2, note.Signatures.Count);
        Assert.Same(_noteKey, Assert.Single(note.Verify([_noteKey])));
    }

    [Fact]
    public void Verify_TrustedKeyBadSignature_Rejected()
    {
        var signed = SignedNote.Sign(Text, Name, _signer);
        var line = signed[(Text.Length + 1)..^1];
        var payload = Convert.FromBase64String(line[(line.LastIndexOf(' ') + 1)..]);
        payload[^1] ^= 0x01;
        var tampered = $"{Text}\n\u2014 {Name} {Convert.ToBase64String(payload)}\n";

        var ex = Assert.Throws<LedgerException>(() => SignedNote.Parse(Encoding.UTF8.GetBytes(tampered)).Verify([_noteKey]));

        Assert.Contains("does not verify", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TrustedKeysIdOnAnotherKeysSignature_Rejected()
    {
        // A forger signs with its own key but labels the signature with the log's name and key id.
        using var forger = new EcdsaSigner(EcdsaP256.Generate(), "forger");
        var forged = forger.Sign(Encoding.UTF8.GetBytes(Text));
        var payload = new byte[4 + forged.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, _noteKey.KeyId);
        forged.CopyTo(payload, 4);
        var note = $"{Text}\n\u2014 {Name} {Convert.ToBase64String(payload)}\n";

        Assert.Throws<LedgerException>(() => SignedNote.Parse(Encoding.UTF8.GetBytes(note)).Verify([_noteKey]));
    }

    [Fact]
    public void Verify_BadSignatureBesideGoodOne_Rejected()
    {
        var good = SignedNote.Sign(Text, Name, _signer)[(Text.Length + 1)..];
        var bad = $"\u2014 {Name} {Convert.ToBase64String([.. BitConverter.GetBytes(_noteKey.KeyId).Reverse(), 0x30, 0x00])}\n";

        Assert.Throws<LedgerException>(() => SignedNote.Parse(Encoding.UTF8.GetBytes(Text + "\n" + good + bad)).Verify([_noteKey]));
    }

    [Fact]
    public void Verify_TextAltered_Rejected()
    {
        var signed = SignedNote.Sign(Text, Name, _signer);
        var altered = signed.Replace("\n5\n", "\n6\n", StringComparison.Ordinal);

        Assert.Throws<LedgerException>(() => SignedNote.Parse(Encoding.UTF8.GetBytes(altered)).Verify([_noteKey]));
    }

    [Fact]
    public void Verify_SameNameOtherKeyId_TreatedAsUnknown()
    {
        using var other = new EcdsaSigner(EcdsaP256.Generate(), "other");
        var note = SignedNote.Parse(Encoding.UTF8.GetBytes(SignedNote.Sign(Text, Name, other)));

        var ex = Assert.Throws<LedgerException>(() => note.Verify([_noteKey]));

        Assert.Contains("no signature by a trusted key", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MalformedNotes()
    {
        const string sig = "\u2014 test.example/otter-log AAAAAAAAAAAAAAAA\n";
        return new TheoryData<string, string>
        {
            { "no blank line", Text + sig },
            { "no signature lines", Text + "\n" },
            { "blank lines only", Text + "\n\n" },
            { "no final newline", Text + "\n" + sig.TrimEnd('\n') },
            { "carriage return", Text.Replace("\n5\n", "\r\n5\n", StringComparison.Ordinal) + "\n" + sig },
            { "tab", Text.Replace("\n5\n", "\n\t5\n", StringComparison.Ordinal) + "\n" + sig },
            { "NUL", Text.Replace("\n5\n", "\n5\0\n", StringComparison.Ordinal) + "\n" + sig },
            { "DEL", Text.Replace("\n5\n", "\n5\u007f\n", StringComparison.Ordinal) + "\n" + sig },
            { "C1 control", Text.Replace("\n5\n", "\n5\u0085\n", StringComparison.Ordinal) + "\n" + sig },
            { "no em dash", Text + "\n- test.example/otter-log AAAAAAAAAAAAAAAA\n" },
            { "no key name", Text + "\n\u2014 AAAAAAAAAAAAAAAA\n" },
            { "empty key name", Text + "\n\u2014  AAAAAAAAAAAAAAAA\n" },
            { "bad base64", Text + "\n\u2014 test.example/otter-log not*base64\n" },
            { "signature too short", Text + "\n\u2014 test.example/otter-log AAAAAA==\n" },
            { "garbage", "garbage" },
            { "empty", string.Empty },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedNotes))]
    public void Parse_Malformed_ThrowsLedgerException(string why, string note)
    {
        var ex = Assert.Throws<LedgerException>(() => SignedNote.Parse(Encoding.UTF8.GetBytes(note)));

        Assert.False(string.IsNullOrEmpty(ex.Message), why);
    }

    [Fact]
    public void Parse_InvalidUtf8_ThrowsLedgerException()
    {
        byte[] note = [.. Encoding.UTF8.GetBytes("origin\n"), 0xff, 0xfe, .. Encoding.UTF8.GetBytes("\n\n\u2014 a AAAAAAAAAAAAAAAA\n")];

        var ex = Assert.Throws<LedgerException>(() => SignedNote.Parse(note));

        Assert.Contains("UTF-8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OverMaxLength_ThrowsLedgerException()
    {
        var note = Text + new string('a', SignedNote.MaxLength) + "\n\n\u2014 a AAAAAAAAAAAAAAAA\n";

        Assert.Throws<LedgerException>(() => SignedNote.Parse(Encoding.UTF8.GetBytes(note)));
    }

    [Fact]
    public void Parse_TooManySignatures_ThrowsLedgerException()
    {
        var line = SignedNote.Sign(Text, Name, _signer)[(Text.Length + 1)..];
        var note = Text + "\n" + string.Concat(Enumerable.Repeat(line, SignedNote.MaxSignatures + 1));

        Assert.Throws<LedgerException>(() => SignedNote.Parse(Encoding.UTF8.GetBytes(note)));
    }

    [Theory]
    [InlineData("no final newline")]
    [InlineData("blank\n\nline\n")]
    [InlineData("control\tchar\n")]
    public void Sign_InvalidText_ThrowsArgumentException(string text)
    {
        Assert.Throws<ArgumentException>(() => SignedNote.Sign(text, Name, _signer));
    }

    [Fact]
    public void Sign_InvalidName_ThrowsLedgerException()
    {
        Assert.Throws<LedgerException>(() => SignedNote.Sign(Text, "two words", _signer));
    }
}
