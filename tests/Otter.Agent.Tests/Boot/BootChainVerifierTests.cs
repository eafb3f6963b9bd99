using Otter.Agent.Boot;
using Otter.Agent.Tests.TestSupport;

namespace Otter.Agent.Tests.Boot;

/// <summary>The ROM and boot loader checks on a slot, with the measurement they extend.</summary>
public sealed class BootChainVerifierTests
{
    [Fact]
    public async Task Verify_CommittedSlot_OkWithTheMeasurementComputedIndependently()
    {
        using var factory = await ReleaseFactory.CreateAsync();

        var chain = BootChainVerifier.Verify(ReleaseFactory.OpenDevice(factory.Device), "a", 1);

        Assert.True(chain.Ok, chain.Failure);
        Assert.Equal("1.0", chain.Manifest!.Manifest.Version);
        Assert.Equal(Measurements.Expected(factory.Device, "a"), chain.Measurement);
        Assert.Equal(factory.BootControl().Measurement, chain.Measurement);
    }

    [Fact]
    public async Task Verify_EmptySlot_NoManifest()
    {
        using var factory = await ReleaseFactory.CreateAsync();

        var chain = BootChainVerifier.Verify(ReleaseFactory.OpenDevice(factory.Device), "b", 0);

        Assert.False(chain.Ok);
        Assert.Equal("slot b has no boot manifest", chain.Failure);
        Assert.Equal(new string('0', 64), chain.Measurement);
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("truncate")]
    [InlineData("append")]
    [InlineData("flip")]
    public async Task Verify_StageChanged_FailsAtThatStageAfterMeasuringTheOnesBefore(string change)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var ssbl = factory.Combine("device", "slots", "a", "ssbl.stage");
        var bytes = await File.ReadAllBytesAsync(ssbl);
        var intact = Measurements.Expected(factory.Device, "a");
        switch (change)
        {
            case "delete":
                File.Delete(ssbl);
                break;
            case "truncate":
                await File.WriteAllBytesAsync(ssbl, bytes[..^1]);
                break;
            case "append":
                await File.WriteAllBytesAsync(ssbl, [.. bytes, 0]);
                break;
            default:
                bytes[0] ^= 0x80;
                await File.WriteAllBytesAsync(ssbl, bytes);
                break;
        }

        var chain = BootChainVerifier.Verify(ReleaseFactory.OpenDevice(factory.Device), "a", 1);

        Assert.False(chain.Ok);
        Assert.StartsWith("stage ssbl of slot a ", chain.Failure, StringComparison.Ordinal);
        Assert.NotEqual(intact, chain.Measurement);
    }

    [Fact]
    public async Task Verify_ManifestFromABundleSignedByAnotherKey_RefusedByTheRom()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        using var foreign = TestKeys.OpenSigner(factory.Key(ReleaseFactory.ForeignBootKey));
        var stages = ReleaseFactory.StageContents(BundleSpec.Healthy("1.0", 1));
        await File.WriteAllBytesAsync(factory.Combine("device", "slots", "a", "manifest.json"), CraftedBundle.Document(CraftedBundle.Manifest("1.0", 1, ReleaseFactory.Hardware, stages), foreign));

        var chain = BootChainVerifier.Verify(ReleaseFactory.OpenDevice(factory.Device), "a", 1);

        Assert.False(chain.Ok);
        Assert.Contains("signed by a boot key other than the one fused into this device", chain.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_SlotBelowTheDeviceCounter_RefusedAsRollback()
    {
        using var factory = await ReleaseFactory.CreateAsync();

        var chain = BootChainVerifier.Verify(ReleaseFactory.OpenDevice(factory.Device), "a", 2);

        Assert.False(chain.Ok);
        Assert.Equal("slot a holds security counter 1, below the device's 2 (rollback refused)", chain.Failure);
    }

    [Fact]
    public async Task Verify_SlotBuiltForOtherHardware_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        using var boot = TestKeys.OpenSigner(factory.Key("boot"));
        var stages = ReleaseFactory.StageContents(BundleSpec.Healthy("1.0", 1));
        await File.WriteAllBytesAsync(factory.Combine("device", "slots", "a", "manifest.json"), CraftedBundle.Document(CraftedBundle.Manifest("1.0", 1, "other-board", stages), boot));

        var chain = BootChainVerifier.Verify(ReleaseFactory.OpenDevice(factory.Device), "a", 1);

        Assert.False(chain.Ok);
        Assert.Equal("slot a is built for hardware other-board, not gw", chain.Failure);
    }
}
