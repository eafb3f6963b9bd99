using System.Security.Cryptography;
using Otter.Cli.Tests.TestSupport;
using Otter.Trust.Bundles;
using Otter.Trust.Keys;

namespace Otter.Cli.Tests.Commands;

public sealed class BundleCommandTests
{
    [Fact]
    public async Task Create_ThreeStages_WritesVerifiableBundleAndPrintsStages()
    {
        using var temp = new TempDirectory();
        var bootKey = TestKeys.Create(temp.Path, "boot");
        var fsbl = WriteStage(temp, "fsbl.img", 1000, 1);
        var ssbl = WriteStage(temp, "ssbl.img", 0, 2);
        var os = WriteStage(temp, "rootfs.img", 300_000, 3);
        var output = temp.Combine("out", "release.otb");
        Directory.CreateDirectory(temp.Combine("out"));

        var result = await Create(output, bootKey, "--stage", $"fsbl={fsbl}", "--stage", $"ssbl={ssbl}", "--stage", $"os={os}");

        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Equal($"created {output}: 2.1.0 for gw-x2, security counter 7, 3 stages (301,000 bytes)", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Matches($"^  fsbl +1000  {Sha(fsbl)}$", lines[1]);
        Assert.Matches($"^  ssbl +0  {Sha(ssbl)}$", lines[2]);
        Assert.Matches($"^  os +300000  {Sha(os)}$", lines[3]);
        Assert.Equal(["release.otb"], Directory.GetFiles(temp.Combine("out")).Select(Path.GetFileName));

        var target = new StageCollector();
        using var parser = new BundleParserStream(target, new FileInfo(output).Length);
        await using (var file = File.OpenRead(output))
        {
            await file.CopyToAsync(parser);
        }

        var manifest = parser.Complete();
        manifest.Verify(SignedBootManifest.KeyHash(BootPublicKey(bootKey)));
        Assert.Equal(("2.1.0", 7L, "gw-x2"), (manifest.Manifest.Version, manifest.Manifest.SecurityCounter, manifest.Manifest.Hardware));
        Assert.Equal(await File.ReadAllBytesAsync(os), target.Stages["os"]);
        Assert.Equal(await File.ReadAllBytesAsync(fsbl), target.Stages["fsbl"]);
        Assert.Empty(target.Stages["ssbl"]);
    }

    [Fact]
    public async Task Create_ExistingOut_Exit2AndUnchanged()
    {
        using var temp = new TempDirectory();
        var bootKey = TestKeys.Create(temp.Path, "boot");
        var os = WriteStage(temp, "rootfs.img", 100, 1);
        var output = temp.Combine("release.otb");
        await File.WriteAllTextAsync(output, "keep me");
        var before = DirectorySnapshot.Take(temp.Path);

        var result = await Create(output, bootKey, "--stage", $"os={os}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("already exists", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(temp.Path));
    }

    [Theory]
    [InlineData("os")]
    [InlineData("=rootfs.img")]
    [InlineData("os=")]
    public async Task Create_StageNotNameEqualsFile_Exit2AndNoOutput(string spec)
    {
        using var temp = new TempDirectory();
        var bootKey = TestKeys.Create(temp.Path, "boot");
        WriteStage(temp, "rootfs.img", 100, 1);
        var (output, outDirectory) = OutPath(temp);

        var result = await Create(output, bootKey, "--stage", spec.Replace("rootfs.img", temp.Combine("rootfs.img"), StringComparison.Ordinal));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not NAME=FILE", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDirectory));
    }

    [Fact]
    public async Task Create_MissingStageFile_Exit2AndNoOutputOrTempFile()
    {
        using var temp = new TempDirectory();
        var bootKey = TestKeys.Create(temp.Path, "boot");
        var fsbl = WriteStage(temp, "fsbl.img", 100, 1);
        var missing = temp.Combine("no-such-rootfs.img");
        var (output, outDirectory) = OutPath(temp);

        var result = await Create(output, bootKey, "--stage", $"fsbl={fsbl}", "--stage", $"os={missing}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(missing, result.Error, StringComparison.Ordinal);
        Assert.Contains("\"os\"", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDirectory));
    }

    [Theory]
    [InlineData("../os")]
    [InlineData("os/app")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("root fs")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Create_StageNameNotPlain_Exit2AndNoOutputOrTempFile(string name)
    {
        using var temp = new TempDirectory();
        var bootKey = TestKeys.Create(temp.Path, "boot");
        var os = WriteStage(temp, "rootfs.img", 100, 1);
        var (output, outDirectory) = OutPath(temp);

        var result = await Create(output, bootKey, "--stage", $"{name}={os}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a plain name", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDirectory));
    }

    [Fact]
    public async Task Create_SameStageNameTwice_Exit2AndNoOutputOrTempFile()
    {
        using var temp = new TempDirectory();
        var bootKey = TestKeys.Create(temp.Path, "boot");
        var os = WriteStage(temp, "rootfs.img", 100, 1);
        var (output, outDirectory) = OutPath(temp);

        var result = await Create(output, bootKey, "--stage", $"os={os}", "--stage", $"os={os}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("appears twice", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDirectory));
    }

    [Fact]
    public async Task Create_NegativeSecurityCounter_Exit2AndNoOutput()
    {
        using var temp = new TempDirectory();
        var bootKey = TestKeys.Create(temp.Path, "boot");
        var os = WriteStage(temp, "rootfs.img", 100, 1);
        var (output, outDirectory) = OutPath(temp);

        var result = await new OtterRunner().RunAsync(
            "bundle", "create", "--out", output, "--boot-key", bootKey, "--version", "2.1.0", "--security-counter", "-1", "--hardware", "gw-x2", "--stage", $"os={os}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--security-counter", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDirectory));
    }

    [Fact]
    public async Task Create_NoStage_Exit2AndNoOutput()
    {
        using var temp = new TempDirectory();
        var bootKey = TestKeys.Create(temp.Path, "boot");
        var (output, outDirectory) = OutPath(temp);

        var result = await Create(output, bootKey);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDirectory));
    }

    private static Task<CliResult> Create(string output, string bootKey, params string[] stages) =>
        new OtterRunner().RunAsync(["bundle", "create", "--out", output, "--boot-key", bootKey, "--version", "2.1.0", "--security-counter", "7", "--hardware", "gw-x2", .. stages]);

    private static (string Output, string Directory) OutPath(TempDirectory temp)
    {
        var directory = temp.Combine("out");
        Directory.CreateDirectory(directory);
        return (Path.Combine(directory, "release.otb"), directory);
    }

    private static string WriteStage(TempDirectory temp, string name, int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        var path = temp.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static string BootPublicKey(string keyFile)
    {
        using var key = new KeyLoader(new FixedPassphraseSource(OtterRunner.Passphrase)).Open(keyFile);
        return key.PublicKey.KeyValue.Public;
    }

    private sealed class StageCollector : IBundleTarget
    {
        public Dictionary<string, byte[]> Stages { get; } = new(StringComparer.Ordinal);

        public void AcceptManifest(SignedBootManifest manifest)
        {
        }

        public Stream OpenStage(BootStage stage) => new MemoryStream();

        public void CompleteStage(BootStage stage, Stream destination)
        {
            Stages[stage.Name] = ((MemoryStream)destination).ToArray();
            destination.Dispose();
        }
    }
}
