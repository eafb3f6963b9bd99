using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Otter.Trust.Keys;

namespace Otter.Trust.Tests.Keys;

public sealed class KeyIdsTests
{
    // A P-256 key made with `openssl ecparam -name prime256v1 -genkey`; its key id was computed
    // with sha256sum over the canonical JSON written by hand (printf), outside .NET.
    private const string FixedPem = "-----BEGIN PUBLIC KEY-----\n"
        + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEmUUXsdQaPzlqivIl79iZveBiUFVG\n"
        + "ZL21J7Hcxyrgf1h4UMqa2rs1g0L2jhJud9l2BTB4dwWS6RO5D50swO6pyQ==\n"
        + "-----END PUBLIC KEY-----\n";

    private const string FixedKeyId = "a038c0b0fafc24b147b4d7f5111c807bc7d094264340c4be3e0d3108f535c2c0";

    [Fact]
    public void Compute_FixedKey_MatchesIdComputedOutsideDotNet()
    {
        Assert.Equal(FixedKeyId, KeyIds.Compute(Key(FixedPem)));
    }

    [Fact]
    public void Compute_GeneratedKey_EqualsSha256OfCanonicalKeyJsonBuiltByHand()
    {
        using var ecdsa = EcdsaP256.Generate();
        var pem = EcdsaP256.ExportPublicPem(ecdsa);

        // securesystemslib's canonical form: keys sorted, no whitespace, only '"' and '\'
        // escaped (a PEM has neither), so the newlines of the PEM stay raw.
        var canonical = "{\"keytype\":\"ecdsa\",\"keyval\":{\"public\":\"" + pem + "\"},\"scheme\":\"ecdsa-sha2-nistp256\"}";
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        Assert.Equal(expected, KeyIds.Compute(EcdsaP256.ToTufKey(ecdsa)));
    }

    [Fact]
    public void Compute_SameKeyTwice_Stable()
    {
        using var ecdsa = EcdsaP256.Generate();
        using var reimported = ECDsa.Create();
        reimported.ImportSubjectPublicKeyInfo(ecdsa.ExportSubjectPublicKeyInfo(), out _);

        var first = KeyIds.Compute(EcdsaP256.ToTufKey(ecdsa));

        Assert.Equal(first, KeyIds.Compute(EcdsaP256.ToTufKey(ecdsa)));
        Assert.Equal(first, KeyIds.Compute(EcdsaP256.ToTufKey(reimported)));
        Assert.Matches("^[0-9a-f]{64}$", first);
    }

    [Fact]
    public void Compute_DifferentKeys_Differ()
    {
        using var a = EcdsaP256.Generate();
        using var b = EcdsaP256.Generate();

        Assert.NotEqual(KeyIds.Compute(EcdsaP256.ToTufKey(a)), KeyIds.Compute(EcdsaP256.ToTufKey(b)));
    }

    [Fact]
    public void Compute_TopLevelUnknownFields_Ignored()
    {
        using var extra = JsonDocument.Parse("\"x\"");
        var key = Key(FixedPem) with
        {
            UnrecognizedFields = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { ["x-otter-note"] = extra.RootElement.Clone() },
        };

        Assert.Equal(FixedKeyId, KeyIds.Compute(key));
    }

    [Fact]
    public void Compute_SchemeOrKeyTypeChanged_Differs()
    {
        Assert.NotEqual(FixedKeyId, KeyIds.Compute(Key(FixedPem) with { KeyType = TufKey.EcdsaP256KeyTypeAlias }));
        Assert.NotEqual(FixedKeyId, KeyIds.Compute(Key(FixedPem) with { Scheme = "ecdsa-sha2-nistp384" }));
    }

    private static TufKey Key(string pem) => new()
    {
        KeyType = TufKey.EcdsaKeyType,
        Scheme = TufKey.EcdsaP256Scheme,
        KeyValue = new TufKeyValue { Public = pem },
    };
}
