using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;

namespace Otter.Agent.Tests.Platform;

/// <summary>The simulated board: opening, damaged state, and names that are not slots or roles.</summary>
public sealed class SimulatedDevicePlatformTests
{
    [Fact]
    public void Open_FolderThatIsNotADevice_ThrowsWithAHint()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<AgentException>(() => SimulatedDevicePlatform.Open(temp.Path, ReleaseFactory.Passphrases));

        Assert.Contains("otter-agent provision", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadBootControl_DamagedFile_ThrowsAndStatusExits1()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await File.WriteAllTextAsync(factory.Combine("device", "bootctl.json"), "{\"active\":");

        var error = Assert.Throws<AgentException>(() => factory.BootControl());
        var status = await AgentRunner.RunAsync("status", "--device", factory.Device);

        Assert.Contains("bootctl.json is damaged", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("bootctl.json is damaged", status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_DamagedFuse_ThrowsAgentException()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await File.WriteAllTextAsync(factory.Combine("device", "rom", "boot-key.sha256"), "not hex\n");

        var error = Assert.Throws<AgentException>(() => ReleaseFactory.OpenDevice(factory.Device));

        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c")]
    [InlineData("..")]
    [InlineData("a/../b")]
    public async Task SlotOperations_NameThatIsNotASlot_Throw(string slot)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var platform = ReleaseFactory.OpenDevice(factory.Device);

        Assert.Throws<ArgumentException>(() => platform.ClearSlot(slot));
        Assert.Throws<ArgumentException>(() => platform.CreateStage(slot, "os"));
        Assert.Throws<ArgumentException>(() => platform.ReadManifest(slot));
        Assert.Throws<ArgumentException>(() => platform.WriteManifest(slot, "{}"u8));
    }

    [Theory]
    [InlineData("../bootctl")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("")]
    public async Task TrustedMetadata_RoleNameThatIsAPath_Refused(string role)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var platform = ReleaseFactory.OpenDevice(factory.Device);
        var before = DirectorySnapshot.Take(factory.Device);

        await Assert.ThrowsAsync<ArgumentException>(async () => await platform.TrustedMetadata.WriteAsync(role, "{}"u8.ToArray(), CancellationToken.None));

        Assert.Equal(before, DirectorySnapshot.Take(factory.Device));
    }

    [Fact]
    public async Task OpenDeviceKey_ProvisionedKey_SignsWithThePublicKeyOnFile()
    {
        using var factory = await ReleaseFactory.CreateAsync();

        using var key = ReleaseFactory.OpenDevice(factory.Device).OpenDeviceKey();

        Assert.Equal(TestKeys.PublicKey(factory.Combine("device", "keys", "device.key")).KeyValue.Public, key.PublicKey.KeyValue.Public);
    }
}
