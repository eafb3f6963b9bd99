using System.Security.Cryptography;
using System.Text;
using Otter.Trust.Keys;
using Otter.Trust.Tests.TestSupport;

namespace Otter.Trust.Tests.Keys;

public sealed class KeyFileTests : IDisposable
{
    private const string Passphrase = "correct horse battery staple";
    private const int FastIterations = 1000;

    private static readonly byte[] Data = Encoding.UTF8.GetBytes("release manifest");

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Open_WrittenKeyFileWithPassphrase_SignsVerifiably()
    {
        using var key = EcdsaP256.Generate();
        var path = _directory.File("targets.key");
        KeyFile.Write(path, key, Passphrase, FastIterations);

        using var handle = Loader(Passphrase).Open(path);
        var signer = handle.GetSigner();
        var signature = signer.Sign(Data);

        Assert.False(handle.IsHardware);
        Assert.True(handle.CanSign);
        Assert.Equal(EcdsaP256.ExportPublicPem(key), handle.PublicKey.KeyValue.Public);
        Assert.Equal(KeyIds.Compute(EcdsaP256.ToTufKey(key)), signer.KeyId);
        Assert.True(SignatureVerifier.Verify(handle.PublicKey, Data, Convert.ToHexStringLower(signature)));
        Assert.True(key.VerifyData(Data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Write_NewKeyFile_EncryptedPrivateKeyAndPublicKeyOwnerOnly()
    {
        using var key = EcdsaP256.Generate();
        var path = _directory.File("targets.key");

        KeyFile.Write(path, key, Passphrase, FastIterations);

        var text = File.ReadAllText(path);
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", text, StringComparison.Ordinal);
        Assert.EndsWith(EcdsaP256.ExportPublicPem(key), text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void GetSigner_WrongPassphrase_ThrowsKeyException()
    {
        using var key = EcdsaP256.Generate();
        var path = WriteKey(key);
        using var handle = Loader("wrong passphrase").Open(path);

        var ex = Assert.Throws<KeyException>(handle.GetSigner);

        Assert.Contains("wrong passphrase", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_KeyFile_PublicKeyAndKeyIdWithoutPassphrase()
    {
        using var key = EcdsaP256.Generate();
        var path = WriteKey(key);

        using var handle = new KeyLoader(new ThrowingPassphraseSource()).Open(path);

        Assert.Equal(EcdsaP256.ExportPublicPem(key), handle.PublicKey.KeyValue.Public);
        Assert.Equal(KeyIds.Compute(EcdsaP256.ToTufKey(key)), handle.KeyId);
        Assert.True(handle.CanSign);
        Assert.Equal(path, handle.Source);
        Assert.Throws<InvalidOperationException>(handle.GetSigner);
    }

    [Fact]
    public void Open_EncryptedKeyWithoutPublicBlock_DecryptsAtOnce()
    {
        using var key = EcdsaP256.Generate();
        var path = _directory.File("private-only.key");
        var privatePem = key.ExportEncryptedPkcs8PrivateKeyPem(Passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, FastIterations));
        File.WriteAllText(path, privatePem + "\n");

        using var handle = Loader(Passphrase).Open(path);

        Assert.Equal(EcdsaP256.ExportPublicPem(key), handle.PublicKey.KeyValue.Public);
        Assert.True(SignatureVerifier.Verify(handle.PublicKey, Data, Convert.ToHexStringLower(handle.GetSigner().Sign(Data))));
    }

    [Fact]
    public void Open_UnencryptedPkcs8_ThrowsKeyException()
    {
        using var key = EcdsaP256.Generate();
        var path = WriteText("plain.key", key.ExportPkcs8PrivateKeyPem());

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("unencrypted private key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("otter keys generate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnencryptedSec1EcKey_ThrowsKeyException()
    {
        using var key = EcdsaP256.Generate();
        var path = WriteText("sec1.key", key.ExportECPrivateKeyPem());

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("unencrypted private key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_RsaPrivateKey_ThrowsKeyException()
    {
        using var rsa = RSA.Create(2048);
        var path = WriteText("rsa.key", rsa.ExportRSAPrivateKeyPem());

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("RSA", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ECDSA P-256", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EncryptedRsaKeyWithPublicBlock_ThrowsKeyException()
    {
        using var rsa = RSA.Create(2048);
        var text = rsa.ExportEncryptedPkcs8PrivateKeyPem(Passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, FastIterations))
            + "\n" + rsa.ExportSubjectPublicKeyInfoPem() + "\n";
        var path = WriteText("rsa-encrypted.key", text);

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("not ECDSA P-256", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EncryptedRsaKeyWithoutPublicBlock_ThrowsKeyException()
    {
        using var rsa = RSA.Create(2048);
        var path = WriteText("rsa-encrypted-only.key", rsa.ExportEncryptedPkcs8PrivateKeyPem(Passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, FastIterations)));

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("not an EC key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_P384KeyFile_ThrowsKeyException()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var path = _directory.File("p384.key");
        KeyFile.Write(path, key, Passphrase, FastIterations);

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("not ECDSA P-256", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_P384KeyFileWithoutPublicBlock_ThrowsKeyException()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var path = WriteText("p384-private-only.key", key.ExportEncryptedPkcs8PrivateKeyPem(Passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, FastIterations)));

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("is not an ECDSA P-256 key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EcdsaSigner_P384Key_ThrowsKeyException()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var ex = Assert.Throws<KeyException>(() => new EcdsaSigner(key, "test key"));

        Assert.Contains("test key is not an ECDSA P-256 key", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not a key\n")]
    [InlineData("")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")]
    public void Open_GarbageFile_ThrowsKeyException(string text)
    {
        var path = WriteText("garbage.key", text);

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("holds no PEM key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BinaryFile_ThrowsKeyException()
    {
        var path = _directory.File("binary.key");
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(4096));

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("holds no PEM key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingFile_ThrowsKeyException()
    {
        var path = _directory.File("missing.key");

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("pkcs11: URI", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HugeFile_ThrowsKeyException()
    {
        using var key = EcdsaP256.Generate();
        var path = WriteKey(key);
        File.AppendAllText(path, new string('#', KeyFile.MaxLength));

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).Open(path));

        Assert.Contains("too large to be a key file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSigner_PublicOnlyFile_ThrowsKeyException()
    {
        using var key = EcdsaP256.Generate();
        var path = WriteText("public.pem", EcdsaP256.ExportPublicPem(key));

        using var handle = new KeyLoader(new ThrowingPassphraseSource()).Open(path);
        var ex = Assert.Throws<KeyException>(handle.GetSigner);

        Assert.False(handle.CanSign);
        Assert.Equal(KeyIds.Compute(EcdsaP256.ToTufKey(key)), handle.KeyId);
        Assert.Contains("holds only a public key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenSigner_PublicOnlyFile_ThrowsKeyException()
    {
        using var key = EcdsaP256.Generate();
        var path = WriteText("public.pem", EcdsaP256.ExportPublicPem(key));

        var ex = Assert.Throws<KeyException>(() => Loader(Passphrase).OpenSigner(path));

        Assert.Contains("holds only a public key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ExistingFile_ThrowsAndLeavesFileUnchanged()
    {
        var path = _directory.File("targets.key");
        File.WriteAllText(path, "precious");
        using var key = EcdsaP256.Generate();

        var ex = Assert.Throws<KeyException>(() => KeyFile.Write(path, key, Passphrase, FastIterations));

        Assert.Contains("already exists", ex.Message, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void Write_ExistingKeyFile_OriginalKeyStillOpens()
    {
        using var original = EcdsaP256.Generate();
        var path = WriteKey(original);
        using var other = EcdsaP256.Generate();

        Assert.Throws<KeyException>(() => KeyFile.Write(path, other, Passphrase, FastIterations));

        using var handle = Loader(Passphrase).Open(path);
        Assert.Equal(KeyIds.Compute(EcdsaP256.ToTufKey(original)), handle.GetSigner().KeyId);
    }

    [Fact]
    public void GetSigner_TamperedPublicBlock_ThrowsKeyException()
    {
        using var key = EcdsaP256.Generate();
        using var attacker = EcdsaP256.Generate();
        var text = KeyFile.Export(key, Passphrase, FastIterations)
            .Replace(EcdsaP256.ExportPublicPem(key), EcdsaP256.ExportPublicPem(attacker), StringComparison.Ordinal);
        var path = WriteText("tampered.key", text);

        using var handle = Loader(Passphrase).Open(path);
        var ex = Assert.Throws<KeyException>(handle.GetSigner);

        Assert.Equal(KeyIds.Compute(EcdsaP256.ToTufKey(attacker)), handle.KeyId);
        Assert.Contains("does not belong to its private key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_SameKey_EachExportDecryptsToSameKey()
    {
        using var key = EcdsaP256.Generate();
        var first = KeyFile.Export(key, Passphrase, FastIterations);
        var second = KeyFile.Export(key, Passphrase, FastIterations);

        Assert.NotEqual(first, second);
        using var a = Loader(Passphrase).Open(WriteText("a.key", first));
        using var b = Loader(Passphrase).Open(WriteText("b.key", second));
        Assert.Equal(a.GetSigner().KeyId, b.GetSigner().KeyId);
    }

    private static KeyLoader Loader(string passphrase) => new(new FixedPassphraseSource(passphrase));

    private string WriteKey(ECDsa key)
    {
        var path = _directory.File(Path.GetRandomFileName() + ".key");
        KeyFile.Write(path, key, Passphrase, FastIterations);
        return path;
    }

    private string WriteText(string name, string text)
    {
        var path = _directory.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private sealed class ThrowingPassphraseSource : IPassphraseSource
    {
        public string GetPassphrase(string keyPath, bool confirm) =>
            throw new InvalidOperationException($"the passphrase of {keyPath} was asked for");
    }
}
