using System.Text;
using System.Text.Json.Nodes;
using Otter.Trust.Keys;
using Otter.Trust.Tuf;

namespace Otter.Trust.Tests.Tuf;

public sealed class TufMetadataTests
{
    private static readonly DateTimeOffset Expires = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Sign_ThenParse_RoundTripsAndVerifies()
    {
        using var signer = new EcdsaSigner(EcdsaP256.Generate(), "test");
        var targets = NewTargets();

        var (bytes, _) = TufMetadata.Sign(targets, [signer]);
        var parsed = TufMetadata.Parse<TargetsMetadata>(bytes, "1.targets.json");

        Assert.Equal(7, parsed.Signed.Version);
        Assert.Equal(Expires, parsed.Signed.Expires);
        Assert.Equal("gw-x2", parsed.Signed.Targets["fw.bin"].Custom!["hardware"]!.GetValue<string>());
        var keys = new Dictionary<string, TufKey> { [signer.KeyId] = signer.PublicKey };
        Assert.Equal(1, ThresholdVerifier.CountValidSignatures(parsed.CanonicalSigned.Span, parsed.Signatures, [signer.KeyId], keys));
    }

    [Fact]
    public void Parse_UnknownFields_PreservedInCanonicalFormAndSignatureVerifies()
    {
        using var signer = new EcdsaSigner(EcdsaP256.Generate(), "test");
        var signed = JsonNode.Parse(Encoding.UTF8.GetString(TufMetadata.CanonicalBytes(NewTargets())))!.AsObject();
        signed["x-vendor"] = new JsonObject { ["note"] = "kept" };
        var canonical = Encoding.UTF8.GetBytes(signed.ToJsonString());
        using var document = System.Text.Json.JsonDocument.Parse(canonical);
        var canonicalBytes = Otter.Trust.Json.CanonicalJson.Serialize(document.RootElement);
        var signature = Convert.ToHexStringLower(signer.Sign(canonicalBytes));
        var file = $"{{\"signatures\":[{{\"keyid\":\"{signer.KeyId}\",\"sig\":\"{signature}\"}}],\"signed\":{signed.ToJsonString()}}}";

        var parsed = TufMetadata.Parse<TargetsMetadata>(Encoding.UTF8.GetBytes(file), "targets.json");

        Assert.True(parsed.Signed.UnrecognizedFields!.ContainsKey("x-vendor"));
        var keys = new Dictionary<string, TufKey> { [signer.KeyId] = signer.PublicKey };
        Assert.Equal(1, ThresholdVerifier.CountValidSignatures(parsed.CanonicalSigned.Span, parsed.Signatures, [signer.KeyId], keys));
    }

    [Theory]
    [InlineData("{\"signatures\":[],\"signed\":{\"_type\":\"snapshot\"}}", "is snapshot metadata where targets metadata was expected")]
    [InlineData("{\"signatures\":[]}", "has no \"signed\" object")]
    [InlineData("{\"signed\":{\"_type\":\"targets\"}}", "has no \"signatures\" array")]
    [InlineData("{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0.31\",\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\"}}", "targets")]
    [InlineData("{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0.31\",\"version\":\"1\",\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{}}}", "$.version")]
    [InlineData("{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0.31\",\"version\":0,\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{}}}", "version 0")]
    [InlineData("{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0.31\",\"version\":1,\"expires\":\"2030-01-01\",\"targets\":{}}}", "not a TUF date")]
    [InlineData("{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"2.0.0\",\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{}}}", "specification 2.0.0")]
    [InlineData("{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0.31\",\"version\":1,\"version\":2,\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{}}}", "targets.json")]
    [InlineData("{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0.31\",\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{\"a\":{\"length\":1.5,\"hashes\":{}}}}}", "targets.json")]
    [InlineData("{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0.31\",\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{\"a\":{\"length\":-1,\"hashes\":{\"sha256\":\"00\"}}}}}", "negative length")]
    [InlineData("{\"signatures\":[],\"signed\":", "targets.json")]
    [InlineData("", "targets.json")]
    public void Parse_MalformedTargets_ThrowsWithFileAndReason(string json, string expected)
    {
        var ex = Assert.Throws<MalformedMetadataException>(() => TufMetadata.Parse<TargetsMetadata>(Encoding.UTF8.GetBytes(json), "targets.json"));

        Assert.Contains("targets.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RootWithThresholdZero_Throws()
    {
        using var signer = new EcdsaSigner(EcdsaP256.Generate(), "test");
        var root = NewRoot(signer) with
        {
            Roles = new Dictionary<string, RoleKeys>
            {
                ["root"] = new() { KeyIds = [signer.KeyId], Threshold = 0 },
                ["targets"] = new() { KeyIds = [signer.KeyId], Threshold = 1 },
                ["snapshot"] = new() { KeyIds = [signer.KeyId], Threshold = 1 },
                ["timestamp"] = new() { KeyIds = [signer.KeyId], Threshold = 1 },
            },
        };

        var (bytes, _) = TufMetadata.Sign(root, [signer]);

        var ex = Assert.Throws<MalformedMetadataException>(() => TufMetadata.Parse<RootMetadata>(bytes, "root.json"));
        Assert.Contains("threshold 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RootRoleNamingUnknownKey_Throws()
    {
        using var signer = new EcdsaSigner(EcdsaP256.Generate(), "test");
        var root = NewRoot(signer) with { Keys = new Dictionary<string, TufKey>() };

        var (bytes, _) = TufMetadata.Sign(root, [signer]);

        var ex = Assert.Throws<MalformedMetadataException>(() => TufMetadata.Parse<RootMetadata>(bytes, "root.json"));
        Assert.Contains("not among its keys", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountValidSignatures_SameKeyUnderTwoKeyIds_CountsOnce()
    {
        using var signer = new EcdsaSigner(EcdsaP256.Generate(), "test");
        var (_, metadata) = TufMetadata.Sign(NewTargets(), [signer]);
        var aliasId = new string('a', 64);
        var signatures = new List<TufSignature>(metadata.Signatures) { metadata.Signatures[0] with { KeyId = aliasId } };
        var keys = new Dictionary<string, TufKey> { [signer.KeyId] = signer.PublicKey, [aliasId] = signer.PublicKey };

        var count = ThresholdVerifier.CountValidSignatures(metadata.CanonicalSigned.Span, signatures, [signer.KeyId, aliasId], keys);

        Assert.Equal(1, count);
    }

    [Fact]
    public void CountValidSignatures_RepeatedSignature_CountsOnce()
    {
        using var signer = new EcdsaSigner(EcdsaP256.Generate(), "test");
        var (_, metadata) = TufMetadata.Sign(NewTargets(), [signer]);
        var signatures = new List<TufSignature> { metadata.Signatures[0], metadata.Signatures[0], metadata.Signatures[0] };
        var keys = new Dictionary<string, TufKey> { [signer.KeyId] = signer.PublicKey };

        var count = ThresholdVerifier.CountValidSignatures(metadata.CanonicalSigned.Span, signatures, [signer.KeyId], keys);

        Assert.Equal(1, count);
    }

    [Fact]
    public void CountValidSignatures_SignatureByKeyOutsideRole_NotCounted()
    {
        using var signer = new EcdsaSigner(EcdsaP256.Generate(), "test");
        using var outsider = new EcdsaSigner(EcdsaP256.Generate(), "outsider");
        var (_, metadata) = TufMetadata.Sign(NewTargets(), [outsider]);
        var keys = new Dictionary<string, TufKey> { [signer.KeyId] = signer.PublicKey, [outsider.KeyId] = outsider.PublicKey };

        var count = ThresholdVerifier.CountValidSignatures(metadata.CanonicalSigned.Span, metadata.Signatures, [signer.KeyId], keys);

        Assert.Equal(0, count);
    }

    private static TargetsMetadata NewTargets() => new()
    {
        Type = TufRoles.Targets,
        SpecVersion = TufRoles.SpecVersion,
        Version = 7,
        Expires = Expires,
        Targets = new Dictionary<string, TargetFile>
        {
            ["fw.bin"] = new()
            {
                Length = 3,
                Hashes = new Dictionary<string, string> { ["sha256"] = new string('0', 64) },
                Custom = new JsonObject { ["hardware"] = "gw-x2" },
            },
        },
    };

    private static RootMetadata NewRoot(EcdsaSigner signer) => new()
    {
        Type = TufRoles.Root,
        SpecVersion = TufRoles.SpecVersion,
        Version = 1,
        Expires = Expires,
        ConsistentSnapshot = true,
        Keys = new Dictionary<string, TufKey> { [signer.KeyId] = signer.PublicKey },
        Roles = new Dictionary<string, RoleKeys>
        {
            ["root"] = new() { KeyIds = [signer.KeyId], Threshold = 1 },
            ["targets"] = new() { KeyIds = [signer.KeyId], Threshold = 1 },
            ["snapshot"] = new() { KeyIds = [signer.KeyId], Threshold = 1 },
            ["timestamp"] = new() { KeyIds = [signer.KeyId], Threshold = 1 },
        },
    };
}
