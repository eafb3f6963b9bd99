using Otter.Trust.Keys;

namespace Otter.Trust.Tests.Keys;

public sealed class Pkcs11UriTests
{
    private const string Secret = "s3cr3t-PIN";

    [Theory]
    [InlineData("pkcs11:token=fleet;object=targets;type=private?pin-value=" + Secret)]
    [InlineData("pkcs11:token=fleet;object=targets;type=private;pin-value=" + Secret)]
    [InlineData("pkcs11:token=fleet;pin-value=" + Secret + ";object=targets;type=private")]
    [InlineData("PKCS11:token=fleet;object=targets;type=private?PIN-VALUE=" + Secret)]
    [InlineData("pkcs11:token=fleet;object=targets;type=private;?pin-value=" + Secret)]
    public void Parse_PinAnywhere_DisplayIsUriWithoutPin(string uri)
    {
        var parsed = Pkcs11Uri.Parse(uri);

        Assert.Equal("pkcs11:token=fleet;object=targets;type=private", parsed.Display);
        Assert.Equal(Secret, parsed.PinValue);
    }

    [Fact]
    public void Parse_ObjectTypeAlias_Accepted()
    {
        var parsed = Pkcs11Uri.Parse("pkcs11:token=fleet;object=targets;object-type=private");

        Assert.Equal("pkcs11:token=fleet;object=targets;object-type=private", parsed.Display);
    }

    [Fact]
    public void Parse_PercentEncodedValues_Decoded()
    {
        var parsed = Pkcs11Uri.Parse("pkcs11:token=my%20fleet;object=targets%3Bv2;id=%01%ab?pin-value=a%3Bb%3Fc%26d%25");

        Assert.Equal("my fleet", parsed.Token);
        Assert.Equal("targets;v2", parsed.Object);
        Assert.Equal("01ab", parsed.IdHex);
        Assert.Equal("a;b?c&d%", parsed.PinValue);
        Assert.Equal("pkcs11:token=my%20fleet;object=targets%3Bv2;id=%01%ab", parsed.Display);
        Assert.Equal("token \"my fleet\", object \"targets;v2\", id 01ab", parsed.Describe());
    }

    [Fact]
    public void Parse_PinSource_KeptInDisplayAndPathDecoded()
    {
        var parsed = Pkcs11Uri.Parse("pkcs11:token=fleet;object=targets?pin-source=file:/run/secrets/hsm%20pin");

        Assert.Equal("pkcs11:token=fleet;object=targets?pin-source=file:/run/secrets/hsm%20pin", parsed.Display);
        Assert.Equal("/run/secrets/hsm pin", parsed.PinSourcePath);
        Assert.Null(parsed.PinValue);
    }

    [Fact]
    public void ToEngineUri_PinFile_PinSourceInsteadOfPin()
    {
        var parsed = Pkcs11Uri.Parse("pkcs11:token=fleet;object=targets;type=private?pin-value=" + Secret);

        var engineUri = parsed.ToEngineUri("/proc/self/fd/42", Secret);

        Assert.Equal("pkcs11:token=fleet;object=targets;type=private?pin-source=/proc/self/fd/42", engineUri);
    }

    [Fact]
    public void ToEngineUri_NoPinFile_PinValuePercentEncoded()
    {
        var parsed = Pkcs11Uri.Parse("pkcs11:token=fleet;object=targets?pin-source=/run/pin");

        var engineUri = parsed.ToEngineUri(pinFile: null, "a;b?c&d%e f");

        Assert.Equal("pkcs11:token=fleet;object=targets?pin-value=a%3Bb%3Fc%26d%25e%20f", engineUri);
    }

    [Theory]
    [InlineData("pkcs11:token=fleet;object=targets;slot-id=1?pin-value=" + Secret, "does not understand slot-id=")]
    [InlineData("pkcs11:token=fleet;object=targets;library-description=SoftHSM?pin-value=" + Secret, "does not understand library-description=")]
    [InlineData("pkcs11:token=fleet;object=targets?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=" + Secret, "does not support module-path=")]
    [InlineData("pkcs11:token=fleet;object=targets?module-name=softhsm2&pin-value=" + Secret, "does not support module-name=")]
    [InlineData("pkcs11:token=fleet;object=targets;type=public?pin-value=" + Secret, "use type=private")]
    [InlineData("pkcs11:token=fleet;object=targets;type=cert?pin-value=" + Secret, "names a certificate")]
    [InlineData("pkcs11:token=fleet;object=targets;type=secret-key?pin-value=" + Secret, "not a key type")]
    [InlineData("pkcs11:token=fleet;type=private?pin-value=" + Secret, "names no key")]
    [InlineData("pkcs11:token=fleet;object=a;object=b?pin-value=" + Secret, "object= appears twice")]
    [InlineData("pkcs11:token=fleet;object=targets?pin-value=" + Secret + "&pin-value=" + Secret, "pin-value= appears twice")]
    [InlineData("pkcs11:token=fleet;object=targets?pin-value=" + Secret + "&pin-source=/run/pin", "not both")]
    [InlineData("pkcs11:token=fleet;object=tar%zzgets?pin-value=" + Secret, "percent-encode")]
    [InlineData("pkcs11:token=fleet;object=targets?pin-value=", "pin-value= is empty")]
    [InlineData("pkcs11:token=fleet;object=targets?pin-source=|cat /run/pin", "not supported")]
    [InlineData("pkcs11:token=;object=targets?pin-value=" + Secret, "token= is empty")]
    [InlineData("pkcs11:token=fleet;object=targets?pin=" + Secret, "an attribute the engine does not understand (shown as ***)")]
    [InlineData("pkcs11:token=fleet;object=targets?" + Secret + "=1", "an attribute the engine does not understand (shown as ***)")]
    [InlineData("pkcs11:token=fleet;object=targets;" + Secret, "a part without a name")]
    [InlineData("pkcs11:token=fleet;object=targets?=" + Secret, "a part without a name")]
    [InlineData("file:/tmp/key?pin-value=" + Secret, "is not a pkcs11: URI")]
    public void Parse_Unusable_ThrowsKeyExceptionWithoutPin(string uri, string expected)
    {
        var ex = Assert.Throws<KeyException>(() => Pkcs11Uri.Parse(uri));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("pkcs11:token=fleet;object=targets?pin-value=" + Secret, "pkcs11:token=fleet;object=targets?pin-value=***")]
    [InlineData("pkcs11:token=fleet;pin=" + Secret + ";object=targets", "pkcs11:token=fleet;***;object=targets")]
    [InlineData("pkcs11:token=fleet;slot-id=3;object=targets", "pkcs11:token=fleet;slot-id=3;object=targets")]
    [InlineData("pkcs11:token=fleet;" + Secret + "&object=targets", "pkcs11:token=fleet;***&object=targets")]
    [InlineData("pkcs11:token=fleet;object=targets?pin-source=/run/pin&x=" + Secret, "pkcs11:token=fleet;object=targets?pin-source=/run/pin&***")]
    [InlineData("pkcs11:", "pkcs11:")]
    public void Redact_SecretsOrUnknownValues_Replaced(string uri, string expected)
    {
        Assert.Equal(expected, Pkcs11Uri.Redact(uri));
    }
}
