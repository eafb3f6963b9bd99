using System.Text.Json;
using Otter.Trust.Attestation;
using Otter.Agent.Tests.TestSupport;

namespace Otter.Agent.Tests.Cli;

/// <summary>
/// The whole device story through <c>otter-agent</c> (in-process): releases made with the real
/// <c>otter</c> commands, installed, booted, rolled back, reported and attested.
/// </summary>
public sealed class AgentCliEndToEndTests
{
    [Fact]
    public async Task InstallBoot_V1ThenV2_CommitsV2AndStatusReportsIt()
    {
        using var factory = await ReleaseFactory.CreateAsync();

        var install = await factory.InstallAsync(ReleaseFactory.V2);
        var pending = await factory.StatusAsync();
        var boot = await factory.BootAsync();
        var status = await factory.StatusAsync();
        var again = await factory.BootAsync();

        Assert.Equal(0, install.ExitCode);
        Assert.Equal("staged fw-2.0.bin 2.0 (security counter 2) in slot b; log entry 1 of 2 verified; reboot to try it", install.Output.Trim());
        Assert.Equal("a", StatusAssert.Text(pending, "activeSlot"));
        Assert.Equal("b", StatusAssert.Text(pending, "pendingTrial"));
        StatusAssert.Slot(pending, "b", "trial", "2.0", 2);
        StatusAssert.LastResult(pending, "installed", "b", "2.0");
        Assert.Equal(1, pending.GetProperty("securityCounter").GetInt64());

        Assert.Equal(0, boot.ExitCode);
        Assert.Equal("booted slot b version 2.0: committed", boot.Output.Trim());
        Assert.Equal("gw-0001", StatusAssert.Text(status, "id"));
        Assert.Equal("b", StatusAssert.Text(status, "activeSlot"));
        Assert.Equal("b", StatusAssert.Text(status, "bootedSlot"));
        Assert.Null(StatusAssert.Text(status, "pendingTrial"));
        StatusAssert.Slot(status, "a", "good", "1.0", 1);
        StatusAssert.Slot(status, "b", "good", "2.0", 2);
        Assert.Equal("fw-2.0.bin", status.GetProperty("slots").GetProperty("b").GetProperty("target").GetString());
        Assert.Equal(2, status.GetProperty("securityCounter").GetInt64());
        StatusAssert.LastResult(status, "committed", "b", "2.0");
        Assert.Equal(Measurements.Expected(factory.Device, "b"), StatusAssert.Text(status, "measurement"));
        Assert.Equal("booted slot b version 2.0: booted", again.Output.Trim());
    }

    [Fact]
    public async Task Boot_OsStageChangedInSlotAfterInstall_RecoversToV1AndReportsIt()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);
        var os = factory.Combine("device", "slots", "b", "os.stage");
        var bytes = await File.ReadAllBytesAsync(os);
        bytes[0] ^= 0x01;
        await File.WriteAllBytesAsync(os, bytes);

        var boot = await factory.BootAsync();
        var status = await factory.StatusAsync();

        Assert.Equal(0, boot.ExitCode);
        Assert.StartsWith("booted slot a version 1.0: recovery (stage os of slot b does not match its signed hash", boot.Output.Trim(), StringComparison.Ordinal);
        Assert.Equal("a", StatusAssert.Text(status, "activeSlot"));
        Assert.Equal("a", StatusAssert.Text(status, "bootedSlot"));
        StatusAssert.Slot(status, "a", "good", "1.0", 1);
        StatusAssert.Slot(status, "b", "bad", "2.0", 2);
        Assert.Equal(1, status.GetProperty("securityCounter").GetInt64());
        StatusAssert.LastResult(status, "recovery", "b", "2.0");
        Assert.Contains("stage os", status.GetProperty("lastResult").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(Measurements.Expected(factory.Device, "a"), StatusAssert.Text(status, "measurement"));
    }

    [Fact]
    public async Task Install_BundleWhoseOsStageDoesNotMatchItsManifest_RejectedBeforeBoot()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = await factory.BuildBundleAsync(BundleSpec.Healthy("2.1", 2));
        ReleaseFactory.CorruptStage(bundle, "os");
        Assert.Equal(0, (await factory.PublishAsync(bundle, "fw-2.1.bin", "2.1", 2)).ExitCode);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync("fw-2.1.bin");
        var status = await factory.StatusAsync();

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("stage \"os\" does not match its SHA-256 in the boot manifest", install.Error, StringComparison.Ordinal);
        StatusAssert.LastResult(status, "rejected", "b", null);
        Assert.Contains("fw-2.1.bin", status.GetProperty("lastResult").GetProperty("detail").GetString(), StringComparison.Ordinal);
        StatusAssert.Slot(status, "b", "empty", null, 0);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Boot_HealthProbeFails_RollsBackToV1WithoutRaisingTheCounter()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var unhealthy = await factory.ReleaseAsync(BundleSpec.FailingProbe("3.0", 3));
        Assert.Equal(0, (await factory.InstallAsync(unhealthy)).ExitCode);

        var boot = await factory.BootAsync();
        var status = await factory.StatusAsync();
        var later = await factory.InstallAndBootAsync(ReleaseFactory.V2);

        Assert.Equal(0, boot.ExitCode);
        Assert.StartsWith("booted slot a version 1.0: rolled-back (health probe `sh \"$OTTER_SLOT_DIR/app.stage\"` exited with 1", boot.Output.Trim(), StringComparison.Ordinal);
        Assert.Equal("a", StatusAssert.Text(status, "activeSlot"));
        StatusAssert.Slot(status, "a", "good", "1.0", 1);
        StatusAssert.Slot(status, "b", "bad", "3.0", 3);
        Assert.Equal(1, status.GetProperty("securityCounter").GetInt64());
        StatusAssert.LastResult(status, "rolled-back", "b", "3.0");
        Assert.Equal(Measurements.Expected(factory.Device, "a"), StatusAssert.Text(status, "measurement"));
        Assert.Equal("booted slot b version 2.0: committed", later.Output.Trim());
    }

    [Fact]
    public async Task Boot_TrialThatNeverReachesAVerdict_RollsBackWhenAttemptsRunOut()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);
        var platform = ReleaseFactory.OpenDevice(factory.Device);
        var control = platform.ReadBootControl();
        platform.WriteBootControl(control with { Trial = control.Trial! with { AttemptsLeft = 0 } });

        var boot = await factory.BootAsync();
        var status = await factory.StatusAsync();

        Assert.StartsWith("booted slot a version 1.0: rolled-back (the trial of slot b (2.0) used all its boot attempts", boot.Output.Trim(), StringComparison.Ordinal);
        StatusAssert.Slot(status, "b", "bad", "2.0", 2);
        Assert.Equal(1, status.GetProperty("securityCounter").GetInt64());
    }

    [Fact]
    public async Task Quote_AfterCommit_VerifiesUnderTheDeviceKeyAndBindsTheNonce()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await factory.InstallAndBootAsync(ReleaseFactory.V2);
        var status = await factory.StatusAsync();
        var deviceKey = TestKeys.PublicKey(factory.Combine("device", "keys", "device.key"));

        var first = await QuoteAsync(factory, "00112233445566778899aabbccddeeff");
        var second = await QuoteAsync(factory, "ffeeddccbbaa99887766554433221100");

        Assert.True(QuoteSigner.Verify(first, deviceKey));
        Assert.True(QuoteSigner.Verify(second, deviceKey));
        Assert.Equal("00112233445566778899aabbccddeeff", first.Quote.Nonce);
        Assert.Equal(QuoteBody.QuoteType, first.Quote.Type);
        Assert.Equal("gw-0001", first.Quote.DeviceId);
        Assert.Equal("b", first.Quote.Slot);
        Assert.Equal("2.0", first.Quote.Version);
        Assert.Equal(2, first.Quote.SecurityCounter);
        Assert.Equal(StatusAssert.Text(status, "measurement"), first.Quote.Measurement);
        Assert.Equal(Measurements.Expected(factory.Device, "b"), first.Quote.Measurement);
        Assert.Equal(Measurements.ManifestSha256(factory.Device, "b"), first.Quote.ManifestSha256);
        Assert.Equal(Otter.Trust.Keys.KeyIds.Compute(deviceKey), first.KeyId);
        Assert.NotEqual(first.Signature, second.Signature);
        Assert.Equal(first.Quote with { Nonce = second.Quote.Nonce }, second.Quote);

        // A quote replayed for another challenge, or checked against another key, does not verify.
        Assert.False(QuoteSigner.Verify(first with { Quote = first.Quote with { Nonce = second.Quote.Nonce } }, deviceKey));
        Assert.False(QuoteSigner.Verify(first with { Quote = first.Quote with { Measurement = new string('0', 64) } }, deviceKey));
        Assert.False(QuoteSigner.Verify(first, TestKeys.PublicKey(factory.Key("boot"))));
    }

    [Fact]
    public async Task Quote_DeviceProvisionedWithItsOwnKeyFile_SignsWithThatKey()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var device = factory.Combine("own-key-device");
        var key = TestKeys.Create(factory.Combine("secure-element"), "device");
        Assert.Equal(0, (await factory.ProvisionAsync(device, "--key", key)).ExitCode);
        await factory.InstallAndBootAsync(ReleaseFactory.V1, device);

        var result = await AgentRunner.RunAsync("quote", "--device", device, "--nonce", "00112233445566778899aabbccddeeff");

        Assert.True(result.ExitCode == 0, result.ToString());
        var quote = JsonSerializer.Deserialize(result.Output, Otter.Trust.Attestation.AttestationJsonContext.Default.AttestationQuote)!;
        Assert.True(QuoteSigner.Verify(quote, TestKeys.PublicKey(key)));
        Assert.False(File.Exists(Path.Combine(device, "keys", "device.key")));
    }

    [Theory]
    [InlineData("0011")]
    [InlineData("xyz0112233445566")]
    [InlineData("0011223344556677889")]
    public async Task Quote_BadNonce_Exit2(string nonce)
    {
        using var factory = await ReleaseFactory.CreateAsync();

        var quote = await AgentRunner.RunAsync("quote", "--device", factory.Device, "--nonce", nonce);

        Assert.Equal(2, quote.ExitCode);
        Assert.Contains("--nonce", quote.Error, StringComparison.Ordinal);
        Assert.Empty(quote.Output);
    }

    [Fact]
    public async Task Quote_DeviceThatNeverBooted_Exit1()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var device = factory.Combine("fresh");
        Assert.Equal(0, (await factory.ProvisionAsync(device)).ExitCode);

        var quote = await AgentRunner.RunAsync("quote", "--device", device, "--nonce", "0011223344556677");

        Assert.Equal(1, quote.ExitCode);
        Assert.Contains("has not booted a verified image", quote.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstallBoot_FreshlyProvisionedDevice_InstallsIntoSlotAAndCommits()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var device = factory.Combine("fresh");
        Assert.Equal(0, (await factory.ProvisionAsync(device)).ExitCode);
        var empty = await factory.BootAsync(device);

        var install = await factory.InstallAsync(ReleaseFactory.V2, device);
        var boot = await factory.BootAsync(device);
        var status = await factory.StatusAsync(device);

        Assert.Equal(1, empty.ExitCode);
        Assert.StartsWith("no slot booted: no-bootable-slot", empty.Output.Trim(), StringComparison.Ordinal);
        Assert.Contains("in slot a; log entry 1 of 2 verified", install.Output, StringComparison.Ordinal);
        Assert.Equal("booted slot a version 2.0: committed", boot.Output.Trim());
        StatusAssert.Slot(status, "a", "good", "2.0", 2);
        StatusAssert.Slot(status, "b", "empty", null, 0);
        Assert.Equal(2, status.GetProperty("securityCounter").GetInt64());
    }

    private static async Task<AttestationQuote> QuoteAsync(ReleaseFactory factory, string nonce)
    {
        var result = await AgentRunner.RunAsync("quote", "--device", factory.Device, "--nonce", nonce);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonSerializer.Deserialize(result.Output, Otter.Trust.Attestation.AttestationJsonContext.Default.AttestationQuote)!;
    }
}
