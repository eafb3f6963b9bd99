using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Otter.Ledger.Notes;
using Otter.Trust.Keys;

namespace Otter.Ledger.Tests.Notes;

public sealed class NoteKeyTests
{
    private const string Name = "test.example/otter-log";

    [Fact]
    public void KeyId_P256Key_IsFirstFourBytesOfSha256OfDerSpki()
    {
        using var ecdsa = EcdsaP256.Generate();
        var spki = ecdsa.ExportSubjectPublicKeyInfo();
        var expected = BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(spki).AsSpan(0, 4));

        var key = NoteKey.FromPem(Name, ecdsa.ExportSubjectPublicKeyInfoPem());

        Assert.Equal(expected, key.KeyId);
        Assert.Equal(spki, key.SubjectPublicKeyInfo);
        Assert.Equal(Name, key.Name);
    }

    [Fact]
    public void VerifierKey_Always_IsNamePlusHexIdPlusBase64OfTypeAndSpki()
    {
        using var ecdsa = EcdsaP256.Generate();
        var spki = ecdsa.ExportSubjectPublicKeyInfo();
        var key = NoteKey.FromPem(Name, ecdsa.ExportSubjectPublicKeyInfoPem());

        var text = key.VerifierKey;
        var first = text.IndexOf('+', StringComparison.Ordinal);
        var second = text.IndexOf('+', first + 1);

        Assert.Equal(Name, text[..first]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(spki).AsSpan(0, 4)), text[(first + 1)..second]);
        Assert.Equal([0x02, .. spki], Convert.FromBase64String(text[(second + 1)..]));
    }

    [Fact]
    public void ParseVerifierKey_OwnVerifierKeys_RoundTrip()
    {
        // Base64 uses '+': some of these keys' verifier strings hold more than two of them.
        var sawPlusInKey = false;
        for (var i = 0; i < 40; i++)
        {
            using var ecdsa = EcdsaP256.Generate();
            var key = NoteKey.FromPem(Name, ecdsa.ExportSubjectPublicKeyInfoPem());
            sawPlusInKey |= key.VerifierKey.Count(c => c == '+') > 2;

            var parsed = NoteKey.ParseVerifierKey(key.VerifierKey);

            Assert.Equal(key.Name, parsed.Name);
            Assert.Equal(key.KeyId, parsed.KeyId);
            Assert.Equal(key.SubjectPublicKeyInfo, parsed.SubjectPublicKeyInfo);
            Assert.Equal(key.VerifierKey, parsed.VerifierKey);
        }

        Assert.True(sawPlusInKey, "no generated key had a '+' in its base64; the round trip did not cover that case");
    }

    [Fact]
    public void ParseVerifierKey_SurroundingWhitespace_Accepted()
    {
        using var ecdsa = EcdsaP256.Generate();
        var key = NoteKey.FromPem(Name, ecdsa.ExportSubjectPublicKeyInfoPem());

        Assert.Equal(key.KeyId, NoteKey.ParseVerifierKey("  " + key.VerifierKey + "\n").KeyId);
    }

    public static TheoryData<string> MalformedVerifierKeys()
    {
        using var ecdsa = EcdsaP256.Generate();
        var spki = ecdsa.ExportSubjectPublicKeyInfo();
        var id = Convert.ToHexStringLower(SHA256.HashData(spki).AsSpan(0, 4));
        var otherId = (BinaryPrimitives.ReadUInt32BigEndian(Convert.FromHexString(id)) ^ 1).ToString("x8", CultureInfo.InvariantCulture);
        var key = Convert.ToBase64String([0x02, .. spki]);
        return new TheoryData<string>
        {
            string.Empty,
            Name,
            $"{Name}+{id}",
            $"{Name}+{id[..7]}+{key}",
            $"{Name}+zzzzzzzz+{key}",
            $"{Name}+-{id[1..]}+{key}",
            $"{Name}+0x{id[2..]}+{key}",
            $"{Name}+{id}+not*base64",
            $"{Name}+{otherId}+{key}",
            $"{Name}+{id}+{Convert.ToBase64String([0x01, .. spki])}",
            $"{Name}+{id}+{Convert.ToBase64String([0x02])}",
            $"{Name}+{id}+{Convert.ToBase64String([0x02, .. spki[..^1]])}",
            $"+{id}+{key}",
            $"bad name+{id}+{key}",
        };
    }

    [Theory]
    [MemberData(nameof(MalformedVerifierKeys))]
    public void ParseVerifierKey_Malformed_ThrowsLedgerException(string text)
    {
        Assert.Throws<LedgerException>(() => NoteKey.ParseVerifierKey(text));
    }

    [Fact]
    public void FromPem_P384Key_ThrowsLedgerException()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<LedgerException>(() => NoteKey.FromPem(Name, p384.ExportSubjectPublicKeyInfoPem()));
    }

    [Fact]
    public void FromPem_NotAPem_ThrowsLedgerException()
    {
        Assert.Throws<LedgerException>(() => NoteKey.FromPem(Name, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("a+b")]
    [InlineData("tab\tname")]
    public void FromPem_InvalidName_ThrowsLedgerException(string name)
    {
        using var ecdsa = EcdsaP256.Generate();

        Assert.Throws<LedgerException>(() => NoteKey.FromPem(name, ecdsa.ExportSubjectPublicKeyInfoPem()));
    }
}
