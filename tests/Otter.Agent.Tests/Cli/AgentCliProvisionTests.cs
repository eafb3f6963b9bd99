using System.Security.Cryptography;
using System.Text.Json;
using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;

namespace Otter.Agent.Tests.Cli;

/// <summary><c>otter-agent provision</c>: good input makes a device; bad input exits 2 and leaves nothing behind.</summary>
public sealed class AgentCliProvisionTests
{
    [Fact]
    public async Task Provision_GoodInput_FusesTheBootKeyAndStoresTrustAnchorsOnly()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var device = factory.Combine("new-device");

        var result = await factory.ProvisionAsync(device, "--boot-attempts", "2", "--probe-url", "http://127.0.0.1:9/health");
        var platform = ReleaseFactory.OpenDevice(device);
        var control = platform.ReadBootControl();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"provisioned device gw-0001 (gw) in {device}; nothing installed yet", result.Output.Trim());
        Assert.Equal(SignedBootManifestKeyHash(factory), platform.FusedBootKeyHash);
        Assert.Equal(await File.ReadAllBytesAsync(factory.TrustedRoot), await File.ReadAllBytesAsync(Path.Combine(device, "state", "tuf", "root.json")));
        Assert.Equal(ReleaseFactory.LogOrigin, platform.Identity.LogOrigin);
        Assert.Equal(2, platform.Identity.BootAttempts);
        Assert.Equal([ReleaseFactory.ProbeCommand, null], platform.Health.Probes.Select(p => p.Command));
        Assert.Equal([null, "http://127.0.0.1:9/health"], platform.Health.Probes.Select(p => p.Url));
        Assert.Null(control.Active);
        Assert.All(control.Slots.Values, s => Assert.Equal(SlotState.Empty, s.State));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(device, "slots"), "*", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(device, DevicePaths.DeviceKey)));
        Assert.False(File.Exists(Path.Combine(device, DevicePaths.LogCheckpoint)));
    }

    [Theory]
    [InlineData("--boot-key", "garbage")]
    [InlineData("--boot-key", "p384")]
    [InlineData("--boot-key", "missing")]
    [InlineData("--boot-key", "empty")]
    [InlineData("--trusted-root", "garbage")]
    [InlineData("--trusted-root", "empty")]
    [InlineData("--trusted-root", "missing")]
    [InlineData("--trusted-root", "unsigned")]
    [InlineData("--trusted-root", "not-a-root")]
    [InlineData("--log-key", "garbage")]
    [InlineData("--log-origin", "bad origin")]
    [InlineData("--hardware", " ")]
    [InlineData("--id", "a/b")]
    [InlineData("--boot-attempts", "0")]
    [InlineData("--probe-url", "ftp://example.com/x")]
    [InlineData("--probe-url", "not a url")]
    public async Task Provision_BadInput_Exit2AndNothingLeftBehind(string option, string value)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var device = factory.Combine("new-device");
        var args = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--device"] = device,
            ["--hardware"] = ReleaseFactory.Hardware,
            ["--boot-key"] = factory.BootPublicKey,
            ["--trusted-root"] = factory.TrustedRoot,
            ["--log-key"] = factory.LogPublicKey,
            ["--log-origin"] = ReleaseFactory.LogOrigin,
        };
        args[option] = option is "--boot-key" or "--trusted-root" or "--log-key" ? await BadFileAsync(factory, value) : value;
        var before = DirectorySnapshot.Take(factory.Root);

        var result = await AgentRunner.RunAsync(["provision", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("otter-agent: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device));
        Assert.Equal(before, DirectorySnapshot.Take(factory.Root));
    }

    [Fact]
    public async Task Provision_NonEmptyDirectory_Exit2AndUnchanged()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var before = DirectorySnapshot.Take(factory.Device);

        var result = await factory.ProvisionAsync(factory.Device);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("exists and is not empty", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(factory.Device));
    }

    [Fact]
    public async Task Provision_DirectoryIsAFile_Exit2AndUnchanged()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var file = factory.Combine("a-file");
        await File.WriteAllTextAsync(file, "keep me");

        var result = await factory.ProvisionAsync(file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Provision_EmptyDirectoryAndBadRoot_Exit2AndDirectoryStaysEmpty()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var device = factory.Combine("empty-device");
        Directory.CreateDirectory(device);
        var root = await BadFileAsync(factory, "unsigned");

        var result = await AgentRunner.RunAsync(
            "provision", "--device", device, "--hardware", ReleaseFactory.Hardware, "--boot-key", factory.BootPublicKey,
            "--trusted-root", root, "--log-key", factory.LogPublicKey, "--log-origin", ReleaseFactory.LogOrigin);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--trusted-root", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(device));
    }

    [Fact]
    public async Task Provision_ExistingKeyWithWrongPassphrase_Exit2AndNothingLeftBehind()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var device = factory.Combine("new-device");
        var key = factory.Combine("other.key");
        using (var ecdsa = Otter.Trust.Keys.EcdsaP256.Generate())
        {
            Otter.Trust.Keys.KeyFile.Write(key, ecdsa, "another passphrase", iterations: 1000);
        }

        var result = await factory.ProvisionAsync(device, "--key", key);

        Assert.Equal(2, result.ExitCode);
        Assert.False(Directory.Exists(device));
    }

    [Fact]
    public async Task Commands_DeviceThatDoesNotExist_Exit2()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var missing = factory.Combine("nowhere");

        var boot = await AgentRunner.RunAsync("boot", "--device", missing);
        var status = await AgentRunner.RunAsync("status", "--device", missing);
        var install = await factory.InstallAsync(ReleaseFactory.V2, missing);

        Assert.All([boot, status, install], r => Assert.Equal(2, r.ExitCode));
        Assert.Contains("otter-agent provision", boot.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    private static byte[] SignedBootManifestKeyHash(ReleaseFactory factory)
    {
        var shown = File.ReadAllText(factory.BootPublicKey);
        return Otter.Trust.Bundles.SignedBootManifest.KeyHash(shown[shown.IndexOf("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal)..]);
    }

    private static async Task<string> BadFileAsync(ReleaseFactory factory, string kind)
    {
        var path = factory.Combine("bad-" + kind);
        switch (kind)
        {
            case "missing":
                return path;
            case "empty":
                await File.WriteAllTextAsync(path, string.Empty);
                break;
            case "garbage":
                await File.WriteAllTextAsync(path, "-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n{");
                break;
            case "p384":
                using (var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384))
                {
                    await File.WriteAllTextAsync(path, p384.ExportSubjectPublicKeyInfoPem());
                }

                break;
            case "unsigned":
                // The real root with its version changed after signing.
                var root = await File.ReadAllTextAsync(factory.TrustedRoot);
                await File.WriteAllTextAsync(path, root.Replace("\"version\": 1", "\"version\": 7", StringComparison.Ordinal));
                Assert.NotEqual(root, await File.ReadAllTextAsync(path));
                break;
            case "not-a-root":
                await File.WriteAllBytesAsync(path, await File.ReadAllBytesAsync(Path.Combine(factory.Repo, "metadata", "timestamp.json")));
                break;
            default:
                throw new ArgumentException(kind, nameof(kind));
        }

        return path;
    }
}
