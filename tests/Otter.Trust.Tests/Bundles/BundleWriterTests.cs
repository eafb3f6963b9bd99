using System.Buffers.Binary;
using System.Security.Cryptography;
using Otter.Trust.Bundles;

namespace Otter.Trust.Tests.Bundles;

public sealed class BundleWriterTests
{
    [Fact]
    public void Write_ThreeStages_HeaderManifestThenStagesInOrder()
    {
        using var builder = new BundleBuilder();
        var fsbl = BundleBuilder.RandomBytes(1000, 1);
        var os = BundleBuilder.RandomBytes(5000, 2);

        var (bundle, manifest) = builder.Build(("fsbl", fsbl), ("ssbl", []), ("os", os));

        Assert.Equal(BundleFormat.Magic.ToArray(), bundle[..8]);
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bundle.AsSpan(8));
        Assert.Equal(manifest.Bytes, bundle[12..(12 + length)]);
        Assert.Equal([.. fsbl, .. os], bundle[(12 + length)..]);
        Assert.Equal(
            [("fsbl", 1000L, Convert.ToHexStringLower(SHA256.HashData(fsbl))), ("ssbl", 0L, Convert.ToHexStringLower(SHA256.HashData([]))), ("os", 5000L, Convert.ToHexStringLower(SHA256.HashData(os)))],
            manifest.Manifest.Stages.Select(s => (s.Name, s.Length, s.Sha256)));
        Assert.Equal(("1.0.0", 1L, "gw-x2"), (manifest.Manifest.Version, manifest.Manifest.SecurityCounter, manifest.Manifest.Hardware));
    }

    [Theory]
    [MemberData(nameof(SignedBootManifestTests.NotPlainNames), MemberType = typeof(SignedBootManifestTests))]
    public void Write_StageNameNotPlain_ThrowsBundleExceptionAndWritesNothing(string name)
    {
        using var builder = new BundleBuilder();
        var file = builder.WriteStage("x", [1, 2, 3]);
        using var output = new MemoryStream();

        var ex = Assert.Throws<BundleException>(() =>
            BundleWriter.Write(output, "1.0.0", 1, "gw-x2", [new BundleStageInput("fsbl", file), new BundleStageInput(name, file)], builder.BootKey));

        Assert.Contains("not a plain name", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void Write_MissingStageFile_ThrowsBundleExceptionNamingStageAndWritesNothing()
    {
        using var builder = new BundleBuilder();
        var missing = Path.Combine(builder.Directory, "no-such-file.img");
        using var output = new MemoryStream();

        var ex = Assert.Throws<BundleException>(() =>
            BundleWriter.Write(output, "1.0.0", 1, "gw-x2", [new BundleStageInput("os", missing)], builder.BootKey));

        Assert.Contains("\"os\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void Write_DuplicateStageNames_ThrowsBundleExceptionAndWritesNothing()
    {
        using var builder = new BundleBuilder();
        var file = builder.WriteStage("os", [1]);
        using var output = new MemoryStream();

        var ex = Assert.Throws<BundleException>(() =>
            BundleWriter.Write(output, "1.0.0", 1, "gw-x2", [new BundleStageInput("os", file), new BundleStageInput("os", file)], builder.BootKey));

        Assert.Contains("appears twice", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void Write_NoStages_ThrowsBundleException()
    {
        using var builder = new BundleBuilder();
        using var output = new MemoryStream();

        Assert.Throws<BundleException>(() => BundleWriter.Write(output, "1.0.0", 1, "gw-x2", [], builder.BootKey));
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void Write_Output_ParsesAndVerifies()
    {
        using var builder = new BundleBuilder();
        var (bundle, written) = builder.BuildTypical();
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target, bundle.Length);

        parser.Write(bundle);
        var manifest = parser.Complete();
        manifest.Verify(builder.FusedHash);

        Assert.Equal(written.Bytes, manifest.Bytes);
    }
}
