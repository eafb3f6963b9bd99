using System.Security.Cryptography;
using System.Text;
using Otter.Trust.Keys;

namespace Otter.Trust.Tests.Keys;

public sealed class SignatureVerifierTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("{\"signed\":{\"version\":1}}");

    [Fact]
    public void Verify_ValidSignature_True()
    {
        using var key = EcdsaP256.Generate();

        Assert.True(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), Data, Sign(key, Data)));
    }

    [Fact]
    public void Verify_UpperCaseHex_True()
    {
        using var key = EcdsaP256.Generate();

        Assert.True(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), Data, Sign(key, Data).ToUpperInvariant()));
    }

    [Fact]
    public void Verify_AliasKeyType_True()
    {
        using var key = EcdsaP256.Generate();
        var tufKey = EcdsaP256.ToTufKey(key) with { KeyType = TufKey.EcdsaP256KeyTypeAlias };

        Assert.True(SignatureVerifier.Verify(tufKey, Data, Sign(key, Data)));
    }

    [Fact]
    public void Verify_WrongData_False()
    {
        using var key = EcdsaP256.Generate();
        var other = (byte[])Data.Clone();
        other[^1] ^= 1;

        Assert.False(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), other, Sign(key, Data)));
    }

    [Fact]
    public void Verify_WrongKey_False()
    {
        using var key = EcdsaP256.Generate();
        using var other = EcdsaP256.Generate();

        Assert.False(SignatureVerifier.Verify(EcdsaP256.ToTufKey(other), Data, Sign(key, Data)));
    }

    [Fact]
    public void Verify_FlippedSignatureBit_False()
    {
        using var key = EcdsaP256.Generate();
        var signature = Convert.FromHexString(Sign(key, Data));
        signature[^1] ^= 1;

        Assert.False(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), Data, Convert.ToHexStringLower(signature)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("zz")]
    [InlineData("30 45")]
    [InlineData("3045022100")]
    [InlineData("not hex at all!")]
    public void Verify_MalformedHex_FalseWithoutThrowing(string signatureHex)
    {
        using var key = EcdsaP256.Generate();

        Assert.False(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), Data, signatureHex));
    }

    [Fact]
    public void Verify_NonHexCharacterInValidLengthSignature_False()
    {
        using var key = EcdsaP256.Generate();
        var signature = Sign(key, Data);

        Assert.False(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), Data, "g" + signature[1..]));
    }

    [Fact]
    public void Verify_OversizedHex_False()
    {
        using var key = EcdsaP256.Generate();

        Assert.False(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), Data, Sign(key, Data) + new string('0', 1024)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(40)]
    public void Verify_TruncatedSignature_False(int removedHexDigits)
    {
        using var key = EcdsaP256.Generate();
        var signature = Sign(key, Data);

        Assert.False(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), Data, signature[..^removedHexDigits]));
    }

    [Fact]
    public void Verify_RawRsSignatureInsteadOfDer_False()
    {
        using var key = EcdsaP256.Generate();
        var raw = key.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        Assert.False(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), Data, Convert.ToHexStringLower(raw)));
    }

    [Theory]
    [InlineData("rsa", "rsassa-pss-sha256")]
    [InlineData("ed25519", "ed25519")]
    [InlineData("ecdsa", "ecdsa-sha2-nistp384")]
    [InlineData("ECDSA", "ecdsa-sha2-nistp256")]
    [InlineData("ecdsa", "")]
    public void Verify_UnsupportedKeyTypeOrScheme_False(string keyType, string scheme)
    {
        using var key = EcdsaP256.Generate();
        var tufKey = EcdsaP256.ToTufKey(key) with { KeyType = keyType, Scheme = scheme };

        Assert.False(SignatureVerifier.Verify(tufKey, Data, Sign(key, Data)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a pem")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public void Verify_MalformedPublicKey_False(string pem)
    {
        using var key = EcdsaP256.Generate();
        var tufKey = EcdsaP256.ToTufKey(key) with { KeyValue = new TufKeyValue { Public = pem } };

        Assert.False(SignatureVerifier.Verify(tufKey, Data, Sign(key, Data)));
    }

    [Fact]
    public void Verify_P384PublicKey_False()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var tufKey = new TufKey
        {
            KeyType = TufKey.EcdsaKeyType,
            Scheme = TufKey.EcdsaP256Scheme,
            KeyValue = new TufKeyValue { Public = key.ExportSubjectPublicKeyInfoPem() },
        };
        var signature = key.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        Assert.False(SignatureVerifier.Verify(tufKey, Data, Convert.ToHexStringLower(signature)));
    }

    [Fact]
    public void Verify_RsaPublicKey_False()
    {
        using var rsa = RSA.Create(2048);
        var tufKey = new TufKey
        {
            KeyType = TufKey.EcdsaKeyType,
            Scheme = TufKey.EcdsaP256Scheme,
            KeyValue = new TufKeyValue { Public = rsa.ExportSubjectPublicKeyInfoPem() },
        };

        Assert.False(SignatureVerifier.Verify(tufKey, Data, Convert.ToHexStringLower(rsa.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss))));
    }

    [Fact]
    public void Verify_EmptyData_VerifiesItsOwnSignatureOnly()
    {
        using var key = EcdsaP256.Generate();
        var signature = Sign(key, []);

        Assert.True(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), [], signature));
        Assert.False(SignatureVerifier.Verify(EcdsaP256.ToTufKey(key), Data, signature));
    }

    private static string Sign(ECDsa key, byte[] data) =>
        Convert.ToHexStringLower(key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
}
