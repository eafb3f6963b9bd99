using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Otter.Trust.Bundles;
using Otter.Trust.Keys;

namespace Otter.Trust.Tests.Bundles;

public sealed class SignedBootManifestTests
{
    private static readonly string Sha = new('a', 64);

    public static TheoryData<string> NotPlainNames => new()
    {
        "a/b",
        "../os",
        "os/..",
        "..",
        ".",
        ".os",
        "-os",
        string.Empty,
        new string('a', 65),
        "o s",
        " os",
        "os ",
        "os\n",
        "os\0",
        "os\\x",
        "\u00e9t\u00e9",
    };

    [Fact]
    public void Verify_FusedHashOfSigningKey_Passes()
    {
        using var builder = new BundleBuilder();
        var (_, written) = builder.BuildTypical();

        var manifest = SignedBootManifest.Parse(written.Bytes);
        manifest.Verify(builder.FusedHash);

        Assert.Equal(["fsbl", "ssbl", "os"], manifest.Manifest.Stages.Select(s => s.Name));
        Assert.Equal(builder.BootKey.PublicKey.KeyValue.Public, manifest.PublicKeyPem);
    }

    [Fact]
    public void Verify_AnotherBootKeyFused_ThrowsBundleException()
    {
        using var builder = new BundleBuilder();
        using var other = new EcdsaSigner(EcdsaP256.Generate(), "other");
        var (_, manifest) = builder.BuildTypical();

        var ex = Assert.Throws<BundleException>(() => manifest.Verify(SignedBootManifest.KeyHash(other.PublicKey.KeyValue.Public)));

        Assert.Contains("other than the one fused", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FusedKeyCarriedButAnotherKeySigned_ThrowsBundleException()
    {
        using var builder = new BundleBuilder();
        using var attacker = new EcdsaSigner(EcdsaP256.Generate(), "attacker");
        var document = ManifestDocuments.Sign(ManifestDocuments.Signed(("os", [1, 2, 3])), attacker, builder.BootKey.PublicKey.KeyValue.Public);
        var manifest = SignedBootManifest.Parse(document);

        var ex = Assert.Throws<BundleException>(() => manifest.Verify(builder.FusedHash));

        Assert.Contains("does not verify", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HandSignedDocument_VerifiesLikeCreate()
    {
        using var builder = new BundleBuilder();
        var document = ManifestDocuments.Sign(ManifestDocuments.Signed(("os", [1, 2, 3])), builder.BootKey);

        var manifest = SignedBootManifest.Parse(document);
        manifest.Verify(builder.FusedHash);

        Assert.Equal(3, manifest.Manifest.Stages.Single().Length);
    }

    [Fact]
    public void Verify_ByteOfSignedChangedAfterSigning_ThrowsBundleException()
    {
        using var builder = new BundleBuilder();
        var (_, written) = builder.BuildTypical();
        var bytes = written.Bytes.ToArray();
        var at = Encoding.UTF8.GetString(bytes).IndexOf("\"1.0.0\"", StringComparison.Ordinal) + 5;
        bytes[at] = (byte)'1';
        var tampered = SignedBootManifest.Parse(bytes);

        var ex = Assert.Throws<BundleException>(() => tampered.Verify(builder.FusedHash));

        Assert.Equal("1.0.1", tampered.Manifest.Version);
        Assert.Contains("altered", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_SignatureChanged_ThrowsBundleException()
    {
        using var builder = new BundleBuilder();
        var (_, written) = builder.BuildTypical();
        var document = ManifestDocuments.Edit(written.Bytes);
        var signature = document["signatures"]![0]!["sig"]!.GetValue<string>();
        document["signatures"]![0]!["sig"] = signature[..^1] + (signature[^1] == '0' ? '1' : '0');
        var tampered = SignedBootManifest.Parse(ManifestDocuments.Bytes(document));

        Assert.Throws<BundleException>(() => tampered.Verify(builder.FusedHash));
    }

    [Fact]
    public void Create_UnknownFieldsBeforeSigning_KeptAndVerify()
    {
        using var builder = new BundleBuilder();
        var manifest = new BootManifest
        {
            Version = "2.0.0",
            SecurityCounter = 3,
            Hardware = "gw-x2",
            Stages =
            [
                new BootStage
                {
                    Name = "os",
                    Sha256 = Sha,
                    Length = 10,
                    UnrecognizedFields = new() { ["x-compression"] = JsonSerializer.SerializeToElement("zstd") },
                },
            ],
            UnrecognizedFields = new() { ["x-vendor"] = JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["build"] = 42 }) },
        };

        var parsed = SignedBootManifest.Parse(SignedBootManifest.Create(manifest, builder.BootKey));
        parsed.Verify(builder.FusedHash);

        Assert.Equal(42, parsed.Manifest.UnrecognizedFields!["x-vendor"].GetProperty("build").GetInt32());
        Assert.Equal("zstd", parsed.Manifest.Stages[0].UnrecognizedFields!["x-compression"].GetString());
    }

    [Fact]
    public void Parse_HandSignedUnknownFields_KeptAndVerify()
    {
        using var builder = new BundleBuilder();
        var signed = ManifestDocuments.Signed(("os", [1, 2, 3]));
        signed["x-future"] = new JsonArray(1, 2, 3);
        signed["stages"]![0]!["x-offset"] = 4096;

        var parsed = SignedBootManifest.Parse(ManifestDocuments.Sign(signed, builder.BootKey));
        parsed.Verify(builder.FusedHash);

        Assert.Equal(3, parsed.Manifest.UnrecognizedFields!["x-future"].GetArrayLength());
        Assert.Equal(4096, parsed.Manifest.Stages[0].UnrecognizedFields!["x-offset"].GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Verify_UnknownFieldAddedAfterSigning_ThrowsBundleException(bool inStage)
    {
        using var builder = new BundleBuilder();
        var (_, written) = builder.BuildTypical();
        var document = ManifestDocuments.Edit(written.Bytes);
        var where = inStage ? document["signed"]!["stages"]![2]!.AsObject() : document["signed"]!.AsObject();
        where["x-added"] = "later";
        var tampered = SignedBootManifest.Parse(ManifestDocuments.Bytes(document));

        var ex = Assert.Throws<BundleException>(() => tampered.Verify(builder.FusedHash));

        Assert.Contains("altered", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fsbl")]
    [InlineData("os")]
    [InlineData("A")]
    [InlineData("model-v2.bin")]
    [InlineData("a..b")]
    [InlineData("Stage_1.2-x")]
    public void IsValidStageName_PlainName_True(string name) => Assert.True(SignedBootManifest.IsValidStageName(name));

    [Fact]
    public void IsValidStageName_SixtyFourCharacters_True() => Assert.True(SignedBootManifest.IsValidStageName(new string('a', 64)));

    [Theory]
    [MemberData(nameof(NotPlainNames))]
    public void IsValidStageName_NotPlain_False(string name) => Assert.False(SignedBootManifest.IsValidStageName(name));

    [Theory]
    [MemberData(nameof(NotPlainNames))]
    public void Parse_SignedStageNameNotPlain_ThrowsBundleException(string name)
    {
        using var builder = new BundleBuilder();
        var document = ManifestDocuments.Sign(ManifestDocuments.Signed(ManifestDocuments.Stage(name, 3, Sha)), builder.BootKey);

        var ex = Assert.Throws<BundleException>(() => SignedBootManifest.Parse(document));

        Assert.Contains("not a plain name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateStageNames_ThrowsBundleException()
    {
        using var builder = new BundleBuilder();
        var document = ManifestDocuments.Sign(ManifestDocuments.Signed(ManifestDocuments.Stage("os", 1, Sha), ManifestDocuments.Stage("os", 2, Sha)), builder.BootKey);

        var ex = Assert.Throws<BundleException>(() => SignedBootManifest.Parse(document));

        Assert.Contains("appears twice", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BundleFormat.MaxStageLength + 1)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void Parse_StageLengthOutOfRange_ThrowsBundleException(long length)
    {
        using var builder = new BundleBuilder();
        var document = ManifestDocuments.Sign(ManifestDocuments.Signed(ManifestDocuments.Stage("os", length, Sha)), builder.BootKey);

        var ex = Assert.Throws<BundleException>(() => SignedBootManifest.Parse(document));

        Assert.Contains($"declares {length} bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StageOfExactly64GiB_Accepted()
    {
        using var builder = new BundleBuilder();
        var document = ManifestDocuments.Sign(ManifestDocuments.Signed(ManifestDocuments.Stage("os", BundleFormat.MaxStageLength, Sha)), builder.BootKey);

        Assert.Equal(BundleFormat.MaxStageLength, SignedBootManifest.Parse(document).Manifest.Stages[0].Length);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    public void Parse_StageLengthsAddUpToMoreThan64GiB_ThrowsBundleException(int stages)
    {
        using var builder = new BundleBuilder();
        var list = Enumerable.Range(0, stages).Select(i => ManifestDocuments.Stage($"s{i}", BundleFormat.MaxStageLength, Sha)).ToArray();
        var document = ManifestDocuments.Sign(ManifestDocuments.Signed(list), builder.BootKey);

        var ex = Assert.Throws<BundleException>(() => SignedBootManifest.Parse(document));

        Assert.Contains("add up to", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("100000000000000000000000000000")]
    [InlineData("1e30")]
    [InlineData("1.5")]
    [InlineData("\"5\"")]
    public void Parse_StageLengthNotAnInt64_ThrowsBundleException(string lengthJson)
    {
        using var builder = new BundleBuilder();
        var document = ManifestDocuments.Unsigned(ManifestDocuments.Signed(ManifestDocuments.Stage("os", lengthJson, Sha)), builder.BootKey);

        Assert.Throws<BundleException>(() => SignedBootManifest.Parse(document));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SignedBootManifest.MaxStages + 1)]
    public void Parse_StageCountOutOfRange_ThrowsBundleException(int stages)
    {
        using var builder = new BundleBuilder();
        var list = Enumerable.Range(0, stages).Select(i => ManifestDocuments.Stage($"s{i}", 1, Sha)).ToArray();
        var document = ManifestDocuments.Sign(ManifestDocuments.Signed(list), builder.BootKey);

        var ex = Assert.Throws<BundleException>(() => SignedBootManifest.Parse(document));

        Assert.Contains($"lists {stages} stages", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("abc")]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    public void Parse_MalformedStageSha256_ThrowsBundleException(string sha256)
    {
        using var builder = new BundleBuilder();
        var document = ManifestDocuments.Sign(ManifestDocuments.Signed(ManifestDocuments.Stage("os", 1, sha256)), builder.BootKey);

        var ex = Assert.Throws<BundleException>(() => SignedBootManifest.Parse(document));

        Assert.Contains("malformed sha256", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("type", "\"otter.boot-manifest/v2\"", "has type")]
    [InlineData("security_counter", "-1", "negative")]
    [InlineData("version", "\" \"", "needs a version")]
    public void Parse_BadManifestField_ThrowsBundleException(string field, string valueJson, string expected)
    {
        using var builder = new BundleBuilder();
        var signed = ManifestDocuments.Signed(("os", [1]));
        signed[field] = JsonNode.Parse(valueJson);

        var ex = Assert.Throws<BundleException>(() => SignedBootManifest.Parse(ManifestDocuments.Sign(signed, builder.BootKey)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"signed\":[],\"public_key\":\"x\",\"signatures\":[]}")]
    [InlineData("{\"public_key\":\"x\",\"signatures\":[]}")]
    public void Parse_NotAManifestDocument_ThrowsBundleException(string text) =>
        Assert.Throws<BundleException>(() => SignedBootManifest.Parse(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Parse_DuplicateKeyInSigned_ThrowsBundleException()
    {
        using var builder = new BundleBuilder();
        var document = Encoding.UTF8.GetString(ManifestDocuments.Sign(ManifestDocuments.Signed(("os", [1])), builder.BootKey));
        var duplicated = document.Replace("\"version\":\"1.0.0\"", "\"version\":\"1.0.0\",\"version\":\"9.9.9\"", StringComparison.Ordinal);

        Assert.Throws<BundleException>(() => SignedBootManifest.Parse(Encoding.UTF8.GetBytes(duplicated)));
    }

    [Fact]
    public void Parse_LongerThanOneMiB_ThrowsBundleException()
    {
        var ex = Assert.Throws<BundleException>(() => SignedBootManifest.Parse(new byte[SignedBootManifest.MaxLength + 1]));

        Assert.Contains("1048576", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyHash_NotAP256Key_ThrowsBundleException() =>
        Assert.Throws<BundleException>(() => SignedBootManifest.KeyHash("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
}
