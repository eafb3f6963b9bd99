using Otter.Trust.Attestation;
using Otter.Trust.Keys;

namespace Otter.Trust.Tests.Attestation;

/// <summary>Quotes: ECDSA P-256 over the canonical JSON of the quote body.</summary>
public sealed class QuoteSignerTests
{
    private static readonly QuoteBody Body = new()
    {
        DeviceId = "gw-0001",
        Nonce = "00112233445566778899aabbccddeeff",
        Measurement = new string('a', 64),
        ManifestSha256 = new string('b', 64),
        Slot = "a",
        Version = "1.0",
        SecurityCounter = 1,
    };

    [Fact]
    public void Verify_SignedQuote_TrueOnlyUnderTheSigningKey()
    {
        using var device = new EcdsaSigner(EcdsaP256.Generate(), "device");
        using var other = new EcdsaSigner(EcdsaP256.Generate(), "other");

        var quote = QuoteSigner.Sign(Body, device);

        Assert.True(QuoteSigner.Verify(quote, device.PublicKey));
        Assert.False(QuoteSigner.Verify(quote, other.PublicKey));
        Assert.Equal(device.KeyId, quote.KeyId);
        Assert.Equal(device.PublicKey.KeyValue.Public, quote.PublicKey);
    }

    [Theory]
    [InlineData("nonce")]
    [InlineData("measurement")]
    [InlineData("manifest")]
    [InlineData("slot")]
    [InlineData("version")]
    [InlineData("counter")]
    [InlineData("device")]
    public void Verify_AnyFieldChangedAfterSigning_False(string field)
    {
        using var device = new EcdsaSigner(EcdsaP256.Generate(), "device");
        var quote = QuoteSigner.Sign(Body, device);

        var changed = field switch
        {
            "nonce" => Body with { Nonce = "ffeeddccbbaa99887766554433221100" },
            "measurement" => Body with { Measurement = new string('c', 64) },
            "manifest" => Body with { ManifestSha256 = new string('c', 64) },
            "slot" => Body with { Slot = "b" },
            "version" => Body with { Version = "9.9" },
            "counter" => Body with { SecurityCounter = 0 },
            _ => Body with { DeviceId = "gw-0002" },
        };

        Assert.False(QuoteSigner.Verify(quote with { Quote = changed }, device.PublicKey));
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("3006020101020101")]
    public void Verify_MalformedSignature_FalseNotThrow(string signature)
    {
        using var device = new EcdsaSigner(EcdsaP256.Generate(), "device");
        var quote = QuoteSigner.Sign(Body, device) with { Signature = signature };

        Assert.False(QuoteSigner.Verify(quote, device.PublicKey));
    }

    [Fact]
    public void Sign_SameBodyTwice_BothVerify()
    {
        using var device = new EcdsaSigner(EcdsaP256.Generate(), "device");

        var first = QuoteSigner.Sign(Body, device);
        var second = QuoteSigner.Sign(Body, device);

        Assert.True(QuoteSigner.Verify(first, device.PublicKey));
        Assert.True(QuoteSigner.Verify(second, device.PublicKey));
    }
}
