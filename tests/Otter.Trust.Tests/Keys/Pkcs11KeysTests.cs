using System.Security.Cryptography;
using System.Text;
using Otter.Trust.Keys;
using Otter.Trust.Tests.TestSupport;

namespace Otter.Trust.Tests.Keys;

/// <summary>
/// Keys in a SoftHSM token, opened through OpenSSL's pkcs11 engine and p11-kit as in
/// production. One collection, run serially: logins and OTTER_PKCS11_PIN are process-wide.
/// </summary>
[Collection(SoftHsmCollectionDefinition.Name)]
public sealed class Pkcs11KeysTests(SoftHsmFixture hsm)
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("{\"signed\":{\"_type\":\"targets\"}}");

    private static readonly KeyLoader Loader = new(new ThrowingPassphraseSource());

    [RequiresSoftHsmFact]
    public void Open_TokenKeyWithPinInUri_SignsAndVerifiesWithTufKey()
    {
        var key = hsm.Token["targets"];

        using var handle = Loader.Open(key.Uri(hsm.Token.UserPin));
        var signer = handle.GetSigner();
        var signature = signer.Sign(Data);

        Assert.True(handle.IsHardware);
        Assert.True(handle.CanSign);
        Assert.True(SignatureVerifier.Verify(handle.PublicKey, Data, Convert.ToHexStringLower(signature)));
        Assert.False(SignatureVerifier.Verify(handle.PublicKey, "other data"u8, Convert.ToHexStringLower(signature)));
    }

    [RequiresSoftHsmFact]
    public void Sign_TokenKey_VerifiesWithSoftwareKeyFromTokenPem()
    {
        var key = hsm.Token["targets"];
        using var signer = Pkcs11Keys.OpenSigner(key.Uri(hsm.Token.UserPin));

        var signature = signer.Sign(Data);

        using var software = ECDsa.Create();
        software.ImportFromPem(key.PublicKeyPem);
        Assert.True(software.VerifyData(Data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [RequiresSoftHsmFact]
    public void Sign_TokenKeyRepeatedly_EverySignatureVerifies()
    {
        using var signer = Pkcs11Keys.OpenSigner(hsm.Token["snapshot"].Uri(hsm.Token.UserPin));

        for (var i = 0; i < 5; i++)
        {
            var data = Encoding.UTF8.GetBytes($"message {i}");
            Assert.True(SignatureVerifier.Verify(signer.PublicKey, data, Convert.ToHexStringLower(signer.Sign(data))));
        }
    }

    [RequiresSoftHsmFact]
    public void Open_TokenKey_KeyIdEqualsKeyIdOfTokenPublicKeyPem()
    {
        var key = hsm.Token["targets"];
        var expected = new TufKey
        {
            KeyType = TufKey.EcdsaKeyType,
            Scheme = TufKey.EcdsaP256Scheme,
            KeyValue = new TufKeyValue { Public = key.PublicKeyPem! },
        };

        using var handle = Loader.Open(key.Uri(hsm.Token.UserPin));

        Assert.Equal(key.PublicKeyPem, handle.PublicKey.KeyValue.Public);
        Assert.Equal(KeyIds.Compute(expected), handle.KeyId);
        Assert.Equal(handle.KeyId, handle.GetSigner().KeyId);
    }

    [RequiresSoftHsmFact]
    public void Open_TwoKeysOnOneToken_DifferentKeyIds()
    {
        using var targets = Loader.Open(hsm.Token["targets"].Uri(hsm.Token.UserPin));
        using var snapshot = Loader.Open(hsm.Token["snapshot"].Uri(hsm.Token.UserPin));

        Assert.NotEqual(targets.KeyId, snapshot.KeyId);
    }

    [RequiresSoftHsmFact]
    public void Open_ById_SameKeyAsByLabel()
    {
        var key = hsm.Token["targets"];
        var byId = $"pkcs11:token={Uri.EscapeDataString(key.TokenLabel)};id=%{key.IdHex};type=private?pin-value={Uri.EscapeDataString(hsm.Token.UserPin)}";

        using var byLabel = Loader.Open(key.Uri(hsm.Token.UserPin));
        using var handle = Loader.Open(byId);

        Assert.Equal(byLabel.KeyId, handle.KeyId);
    }

    [RequiresSoftHsmFact]
    public void Open_TokenKey_SourceIsUriWithoutPin()
    {
        var key = hsm.Token["targets"];

        using var handle = Loader.Open(key.Uri(hsm.Token.UserPin));

        Assert.Equal(key.Uri(), handle.Source);
        Assert.Equal(key.Uri(), handle.GetSigner().Source);
        Assert.DoesNotContain("pin", handle.Source, StringComparison.OrdinalIgnoreCase);
    }

    [RequiresSoftHsmFact]
    public void Open_TokenKey_PrivateKeyExportThrows()
    {
        var key = hsm.Token["targets"];
        using var ecdsa = Pkcs11Keys.OpenKey(Pkcs11Uri.Parse(key.Uri(hsm.Token.UserPin)));

        Assert.NotNull(ecdsa.ExportSubjectPublicKeyInfo());
        Assert.ThrowsAny<CryptographicException>(() => ecdsa.ExportParameters(includePrivateParameters: true));
        Assert.ThrowsAny<CryptographicException>(() => ecdsa.ExportPkcs8PrivateKey());
        Assert.ThrowsAny<CryptographicException>(() => ecdsa.ExportECPrivateKey());
        Assert.ThrowsAny<CryptographicException>(() => ecdsa.ExportEncryptedPkcs8PrivateKey(
            "passphrase", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
    }

    [RequiresSoftHsmFact]
    public void Fixture_TokenPrivateKeys_AreSensitiveAndNeverExtractable()
    {
        var listing = hsm.ListObjects(hsm.Token);

        // pkcs11-tool prints one unindented header line per object, then indented attributes.
        var privateKeyAccess = new List<string>();
        string? header = null;
        foreach (var line in listing.Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                header = line;
            }
            else if (header is not null && header.StartsWith("Private Key Object", StringComparison.Ordinal) && line.TrimStart().StartsWith("Access:", StringComparison.Ordinal))
            {
                privateKeyAccess.Add(line.Trim());
            }
        }

        Assert.Equal(hsm.Token.Keys.Count, privateKeyAccess.Count);
        Assert.All(privateKeyAccess, access =>
        {
            Assert.Contains("sensitive", access, StringComparison.Ordinal);
            Assert.Contains("never extractable", access, StringComparison.Ordinal);
        });
    }

    [RequiresSoftHsmFact]
    public void Open_PinFromEnvironment_Signs()
    {
        var token = hsm.EnvironmentPinToken;
        var key = token["targets"];
        using var pin = new EnvironmentVariableScope(Pkcs11Keys.PinVariable, token.UserPin);

        using var handle = Loader.Open(key.Uri());
        var signature = handle.GetSigner().Sign(Data);

        Assert.True(SignatureVerifier.Verify(handle.PublicKey, Data, Convert.ToHexStringLower(signature)));
        Assert.Equal(key.Uri(), handle.Source);
    }

    [RequiresSoftHsmFact]
    public void Open_PinSourceFile_Signs()
    {
        using var directory = new TempDirectory();
        var pinFile = directory.File("pin");
        File.WriteAllText(pinFile, hsm.PinSourceToken.UserPin + "\n");
        var key = hsm.PinSourceToken["targets"];
        var uri = key.Uri() + "?pin-source=" + pinFile;

        using var signer = Loader.OpenSigner(uri);

        Assert.True(SignatureVerifier.Verify(signer.PublicKey, Data, Convert.ToHexStringLower(signer.Sign(Data))));
        Assert.Equal(uri, signer.Source);
    }

    [RequiresSoftHsmFact]
    public void Open_WrongPin_ThrowsKeyExceptionWithoutPin()
    {
        var token = hsm.WrongPinToken;
        var wrongPin = "wrong-" + token.UserPin;

        var ex = Assert.Throws<KeyException>(() => Loader.Open(token["targets"].Uri(wrongPin)));

        Assert.Contains(token.Label, ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"targets\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PIN", ex.Message, StringComparison.Ordinal);
        AssertNoPin(ex, wrongPin, token.UserPin);
    }

    [RequiresSoftHsmFact]
    public void Open_WrongPinFromEnvironment_ThrowsKeyExceptionNamingVariable()
    {
        var token = hsm.WrongPinToken;
        var wrongPin = "env-wrong-" + token.UserPin;
        using var pin = new EnvironmentVariableScope(Pkcs11Keys.PinVariable, wrongPin);

        var ex = Assert.Throws<KeyException>(() => Loader.Open(token["targets"].Uri()));

        Assert.Contains(Pkcs11Keys.PinVariable, ex.Message, StringComparison.Ordinal);
        AssertNoPin(ex, wrongPin, token.UserPin);
    }

    [RequiresSoftHsmFact]
    public void Open_MissingObject_ThrowsKeyExceptionNamingObject()
    {
        var uri = $"pkcs11:token={Uri.EscapeDataString(hsm.Token.Label)};object=no-such-key;type=private?pin-value={Uri.EscapeDataString(hsm.Token.UserPin)}";

        var ex = Assert.Throws<KeyException>(() => Loader.Open(uri));

        Assert.Contains("\"no-such-key\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no private key matched", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--list-objects", ex.Message, StringComparison.Ordinal);
        AssertNoPin(ex, hsm.Token.UserPin);
    }

    [RequiresSoftHsmFact]
    public void Open_MissingToken_ThrowsKeyExceptionNamingToken()
    {
        var uri = $"pkcs11:token=otter-no-such-token;object=targets;type=private?pin-value={Uri.EscapeDataString(hsm.Token.UserPin)}";

        var ex = Assert.Throws<KeyException>(() => Loader.Open(uri));

        Assert.Contains("token \"otter-no-such-token\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("p11-kit list-modules", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        AssertNoPin(ex, hsm.Token.UserPin);
    }

    [RequiresSoftHsmFact]
    public void Open_P384KeyInToken_ThrowsNotP256()
    {
        var ex = Assert.Throws<KeyException>(() => Loader.Open(hsm.Token["p384"].Uri(hsm.Token.UserPin)));

        Assert.Contains("not P-256", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EC:prime256v1", ex.Message, StringComparison.Ordinal);
        AssertNoPin(ex, hsm.Token.UserPin);
    }

    [RequiresSoftHsmFact]
    public void Open_RsaKeyInToken_ThrowsNotEc()
    {
        var ex = Assert.Throws<KeyException>(() => Loader.Open(hsm.Token["rsa"].Uri(hsm.Token.UserPin)));

        Assert.Contains("not an EC key", ex.Message, StringComparison.Ordinal);
        AssertNoPin(ex, hsm.Token.UserPin);
    }

    [Fact]
    public void Open_NoPinAnywhere_ThrowsAskingForPinBeforeTouchingToken()
    {
        using var pin = new EnvironmentVariableScope(Pkcs11Keys.PinVariable, null);

        var ex = Assert.Throws<KeyException>(() => Loader.Open("pkcs11:token=fleet;object=targets;type=private"));

        Assert.Equal("no PIN for pkcs11:token=fleet;object=targets;type=private: set OTTER_PKCS11_PIN, or add ?pin-value=<PIN> or ?pin-source=<file> to the URI. Otter does not prompt for token PINs.", ex.Message);
    }

    [Fact]
    public void Open_PinSourceFileMissing_ThrowsNamingFile()
    {
        using var directory = new TempDirectory();
        var pinFile = directory.File("no-such-pin");

        var ex = Assert.Throws<KeyException>(() => Loader.Open($"pkcs11:token=fleet;object=targets?pin-source={pinFile}"));

        Assert.Equal($"the PIN file {pinFile} named by pin-source in pkcs11:token=fleet;object=targets?pin-source={pinFile} does not exist.", ex.Message);
    }

    [Fact]
    public void Open_PinSourceFileEmpty_ThrowsNamingFile()
    {
        using var directory = new TempDirectory();
        var pinFile = directory.File("pin");
        File.WriteAllText(pinFile, "\n");

        var ex = Assert.Throws<KeyException>(() => Loader.Open($"pkcs11:token=fleet;object=targets?pin-source=file:{pinFile}"));

        Assert.Contains($"the PIN file {pinFile} named by pin-source", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("is empty.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ModulePathInUri_ThrowsExplainingP11Kit()
    {
        var ex = Assert.Throws<KeyException>(() => Loader.Open("pkcs11:token=fleet;object=targets;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=123456"));

        Assert.Contains("does not support module-path=", ex.Message, StringComparison.Ordinal);
        Assert.Contains("p11-kit", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PKCS11_MODULE_PATH", ex.Message, StringComparison.Ordinal);
        AssertNoPin(ex, "123456");
    }

    // The OpenSSL text is what .NET reports with OPENSSL_ENGINES pointing at a directory without
    // pkcs11.so. A real test of it would be order-dependent: once the engine has been loaded,
    // OpenSSL keeps it for the rest of the process.
    [Fact]
    public void DescribeLoadFailure_NoSuchEngine_SaysInstallEngine()
    {
        var uri = Pkcs11Uri.Parse("pkcs11:token=fleet;object=targets;type=private?pin-value=123456");

        var ex = Pkcs11Keys.DescribeLoadFailure(uri, "123456", "PIN from pin-value in the URI", new CryptographicException("error:13000074:engine routines::no such engine"));

        Assert.Contains("pkcs11 engine is not available", ex.Message, StringComparison.Ordinal);
        Assert.Contains("libengine-pkcs11-openssl", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("no private key matched", ex.Message, StringComparison.Ordinal);
        AssertNoPin(ex, "123456");
    }

    [Fact]
    public void DescribeLoadFailure_NoEngineSupportInOpenSsl_SaysSo()
    {
        var uri = Pkcs11Uri.Parse("pkcs11:token=fleet;object=targets;type=private");

        var ex = Pkcs11Keys.DescribeLoadFailure(uri, "123456", "PIN from OTTER_PKCS11_PIN", new CryptographicException("OpenSSL ENGINE is not available on this platform."));

        Assert.Contains("has no engine support", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeLoadFailure_ModulePathVariableNamesMissingFile_SaysFixVariable()
    {
        using var module = new EnvironmentVariableScope("PKCS11_MODULE_PATH", "/nonexistent/vendor-pkcs11.so");
        var uri = Pkcs11Uri.Parse("pkcs11:token=fleet;object=targets;type=private");

        var ex = Pkcs11Keys.DescribeLoadFailure(uri, "123456", "PIN from OTTER_PKCS11_PIN", new CryptographicException("error:13000080:engine routines::failed loading private key"));

        Assert.Contains("PKCS11_MODULE_PATH names /nonexistent/vendor-pkcs11.so, which does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeLoadFailure_FailedLoading_SaysCheckTokenObjectAndPin()
    {
        var uri = Pkcs11Uri.Parse("pkcs11:token=fleet;object=targets;type=private?pin-value=123456");

        var ex = Pkcs11Keys.DescribeLoadFailure(uri, "123456", "PIN from pin-value in the URI", new CryptographicException("error:13000080:engine routines::failed loading private key"));

        Assert.StartsWith("cannot open pkcs11:token=fleet;object=targets;type=private: no private key matched (token \"fleet\", object \"targets\"), or the token refused the PIN (PIN from pin-value in the URI).", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("engine is not available", ex.Message, StringComparison.Ordinal);
        AssertNoPin(ex, "123456");
    }

    private static void AssertNoPin(KeyException exception, params string[] pins)
    {
        foreach (var pin in pins)
        {
            for (Exception? e = exception; e is not null; e = e.InnerException)
            {
                Assert.DoesNotContain(pin, e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(Uri.EscapeDataString(pin), e.Message, StringComparison.Ordinal);
            }
        }
    }

    private sealed class ThrowingPassphraseSource : IPassphraseSource
    {
        public string GetPassphrase(string keyPath, bool confirm) =>
            throw new InvalidOperationException("a pkcs11: key must not ask for a key file passphrase");
    }
}
