using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Otter.Agent.Tests.TestSupport;
using Otter.Trust.Bundles;

namespace Otter.Agent.Tests.Cli;

/// <summary>
/// DESIGN §5 "path traversal, oversize, truncated or malformed inputs": bundles that are
/// properly published and logged but malformed inside. <c>otter-agent install</c> exits 1 with a
/// clear error, writes nothing outside the inactive slot and keeps nothing in it, and the
/// active slot still boots.
/// </summary>
public sealed class AgentCliBadBundleTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(100)]
    [InlineData(-1)]
    [InlineData(-2)]
    [InlineData(-3)]
    public async Task Install_TruncatedBundle_RefusedWithNothingKept(int cut)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = await File.ReadAllBytesAsync(await factory.BuildBundleAsync(BundleSpec.Healthy("2.1", 2)));
        var manifestEnd = BundleFormat.HeaderLength + (int)BinaryPrimitives.ReadUInt32BigEndian(bundle.AsSpan(8, 4));

        // -1: the header and manifest only; -2: three bytes into the first stage; -3: all but the last byte.
        var length = cut switch { -1 => manifestEnd, -2 => manifestEnd + 3, -3 => bundle.Length - 1, _ => cut };
        var truncated = factory.Combine("truncated.bin");
        await File.WriteAllBytesAsync(truncated, bundle[..length]);
        var install = await PublishAndInstallAsync(factory, truncated, "2.1");

        Assert.Equal(1, install.ExitCode);
        Assert.True(
            install.Error.Contains("it is truncated", StringComparison.Ordinal)
            || install.Error.Contains($"but the release is {length} bytes long; refused before writing anything", StringComparison.Ordinal),
            install.Error);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("../../../escape")]
    [InlineData("os/../../escape")]
    [InlineData("sub/escape")]
    [InlineData("..")]
    [InlineData("/tmp/escape")]
    [InlineData("")]
    public async Task Install_StageNameThatIsAPath_RefusedAndNothingWrittenAnywhere(string name)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        using var boot = TestKeys.OpenSigner(factory.Key("boot"));
        var stages = ReleaseFactory.StageContents(BundleSpec.Healthy("2.1", 2)).Select(s => s.Name == "os" ? (name, s.Bytes) : s).ToList();
        var bundle = factory.Combine("crafted.bin");
        await File.WriteAllBytesAsync(bundle, CraftedBundle.Build(stages, boot, version: "2.1"));
        var everything = DirectorySnapshot.Take(factory.Root);

        var install = await PublishAndInstallAsync(factory, bundle, "2.1");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("is not a plain name", install.Error, StringComparison.Ordinal);
        var after = DirectorySnapshot.Take(factory.Root);
        Assert.DoesNotContain(after.Keys, k => k.Contains("escape", StringComparison.Ordinal));
        Assert.False(File.Exists("/tmp/escape.stage"));
        Assert.Equal(everything.Keys.Where(k => k.StartsWith("device/slots", StringComparison.Ordinal)), after.Keys.Where(k => k.StartsWith("device/slots", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Install_UnknownFieldsCoveredByTheSignature_AcceptedAndKept()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        using var boot = TestKeys.OpenSigner(factory.Key("boot"));
        var stages = ReleaseFactory.StageContents(BundleSpec.Healthy("2.1", 2));
        var bundle = factory.Combine("crafted.bin");
        await File.WriteAllBytesAsync(bundle, CraftedBundle.Build(stages, boot, version: "2.1", beforeSigning: signed =>
        {
            signed["x_vendor"] = new JsonObject { ["build"] = "ci-4711", ["flags"] = new JsonArray(1, 2, 3) };
            ((JsonObject)signed["stages"]![2]!)["x_compression"] = "none";
        }));
        Assert.Equal(0, (await factory.PublishAsync(bundle, "fw-2.1.bin", "2.1", 2)).ExitCode);

        var install = await factory.InstallAsync("fw-2.1.bin");
        var boot2 = await factory.BootAsync();

        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Equal("booted slot b version 2.1: committed", boot2.Output.Trim());
        var manifest = await File.ReadAllTextAsync(factory.Combine("device", "slots", "b", "manifest.json"));
        Assert.Contains("ci-4711", manifest, StringComparison.Ordinal);
        Assert.Contains("x_compression", manifest, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown-field")]
    [InlineData("unknown-stage-field")]
    [InlineData("version")]
    [InlineData("stage-hash")]
    public async Task Install_SignedPartChangedAfterSigning_Refused(string change)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        using var boot = TestKeys.OpenSigner(factory.Key("boot"));
        var stages = ReleaseFactory.StageContents(BundleSpec.Healthy("2.1", 2)).ToList();
        var bundle = factory.Combine("crafted.bin");
        var evilOs = stages[2].Bytes.Select(b => (byte)(b ^ 1)).ToArray();
        var shipped = change == "stage-hash" ? stages.Select(s => s.Name == "os" ? (Name: "os", Bytes: evilOs) : s).ToList() : stages;
        var crafted = CraftedBundle.Bundle(
            CraftedBundle.Document(CraftedBundle.Manifest(change == "version" ? "2.0" : "2.1", 2, ReleaseFactory.Hardware, stages), boot, document =>
            {
                var signed = (JsonObject)document["signed"]!;
                switch (change)
                {
                    case "unknown-field":
                        signed["x_debug"] = true;
                        break;
                    case "unknown-stage-field":
                        ((JsonObject)signed["stages"]![0]!)["x_load_address"] = "0x80000000";
                        break;
                    case "version":
                        signed["version"] = "2.1";
                        break;
                    case "stage-hash":
                        var os = (JsonObject)signed["stages"]![2]!;
                        os["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(evilOs));
                        break;
                }
            }),
            shipped.Select(s => s.Bytes));
        await File.WriteAllBytesAsync(bundle, crafted);

        var install = await PublishAndInstallAsync(factory, bundle, "2.1");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("the boot manifest's signature by the fused boot key does not verify; the manifest was altered", install.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_UnknownFieldAddedBesideTheSignedPartAfterSigning_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        using var boot = TestKeys.OpenSigner(factory.Key("boot"));
        var stages = ReleaseFactory.StageContents(BundleSpec.Healthy("2.1", 2));
        var bundle = factory.Combine("crafted.bin");
        await File.WriteAllBytesAsync(bundle, CraftedBundle.Build(stages, boot, version: "2.1", afterSigning: document => document["x_unsigned"] = "added later"));

        var install = await PublishAndInstallAsync(factory, bundle, "2.1");

        Assert.Equal(1, install.ExitCode);
    }

    [Theory]
    [InlineData(60L * 1024 * 1024 * 1024, "refused before writing anything")]
    [InlineData((64L * 1024 * 1024 * 1024) + 1, "stages are 0 to")]
    [InlineData(-1L, "stages are 0 to")]
    [InlineData(long.MaxValue, "stages are 0 to")]
    public async Task Install_HugeDeclaredStageLength_RefusedBeforeWriting(long declared, string error)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        using var boot = TestKeys.OpenSigner(factory.Key("boot"));
        var stages = ReleaseFactory.StageContents(BundleSpec.Healthy("2.1", 2));
        var bundle = factory.Combine("crafted.bin");
        await File.WriteAllBytesAsync(bundle, CraftedBundle.Build(stages, boot, version: "2.1", beforeSigning: signed =>
            ((JsonObject)signed["stages"]![2]!)["length"] = declared));

        var install = await PublishAndInstallAsync(factory, bundle, "2.1");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains(error, install.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_StagesAddingUpToMoreThanABundleMayHold_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        using var boot = TestKeys.OpenSigner(factory.Key("boot"));
        var stages = Enumerable.Range(0, 16).Select(i => ($"s{i}", new byte[] { (byte)i })).ToList();
        var bundle = factory.Combine("crafted.bin");
        await File.WriteAllBytesAsync(bundle, CraftedBundle.Build(stages, boot, version: "2.1", beforeSigning: signed =>
        {
            foreach (var stage in signed["stages"]!.AsArray())
            {
                stage!["length"] = 64L * 1024 * 1024 * 1024;
            }
        }));

        var install = await PublishAndInstallAsync(factory, bundle, "2.1");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("the stages add up to", install.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(uint.MaxValue)]
    [InlineData((uint)SignedBootManifest.MaxLength + 1)]
    public async Task Install_HeaderDeclaringAnImpossibleManifestLength_Refused(uint declared)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bytes = await File.ReadAllBytesAsync(await factory.BuildBundleAsync(BundleSpec.Healthy("2.1", 2)));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8, 4), declared);
        var bundle = factory.Combine("crafted.bin");
        await File.WriteAllBytesAsync(bundle, bytes);

        var install = await PublishAndInstallAsync(factory, bundle, "2.1");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains($"the bundle declares a {declared}-byte manifest", install.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"signed\":[],\"public_key\":\"x\",\"signatures\":[]}")]
    [InlineData("{\"signed\":{\"type\":\"otter.boot-manifest/v1\"},\"public_key\":\"x\",\"signatures\":[]}")]
    [InlineData("{\"signed\":{},\"signed\":{},\"public_key\":\"x\",\"signatures\":[]}")]
    public async Task Install_MalformedManifestDocument_Refused(string document)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = factory.Combine("crafted.bin");
        await File.WriteAllBytesAsync(bundle, CraftedBundle.Bundle(System.Text.Encoding.UTF8.GetBytes(document), [new byte[10]]));

        var install = await PublishAndInstallAsync(factory, bundle, "2.1");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("the boot manifest", install.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_NotABundle_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = factory.Combine("firmware.tar");
        await File.WriteAllBytesAsync(bundle, new byte[4096]);

        var install = await PublishAndInstallAsync(factory, bundle, "2.1");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("it does not start with OTTERBD1", install.Error, StringComparison.Ordinal);
    }

    /// <summary>Publishes and logs <paramref name="bundle"/> as fw-2.1.bin, installs it, and checks the device kept nothing of it.</summary>
    private static async Task<CliResult> PublishAndInstallAsync(ReleaseFactory factory, string bundle, string version)
    {
        var published = await factory.PublishAsync(bundle, "fw-2.1.bin", version, 2);
        Assert.True(published.ExitCode == 0, published.ToString());
        var before = ActiveSlotState.Capture(factory.Device);
        var install = await factory.InstallAsync("fw-2.1.bin");
        Assert.DoesNotContain("Exception", install.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
        return install;
    }
}
