using Otter.Agent.Boot;
using Otter.Agent.Health;
using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;

namespace Otter.Agent.Tests.Boot;

/// <summary>Trial boots, commits, rollbacks and recovery, decided by the boot loader and persisted before they take effect.</summary>
public sealed class BootLoaderTests
{
    [Fact]
    public async Task Boot_PowerLostDuringEveryTrialBoot_RollsBackOnceTheAttemptsAreSpent()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);
        var attempts = new List<int>();

        // Each boot spends its attempt (operation 1) and loses power before the verdict (operation 2).
        for (var i = 0; i < 3; i++)
        {
            var platform = new SimulatedDevicePlatform(new PowerCutStorage(new DirectoryDeviceStorage(factory.Device), cutAt: 2), ReleaseFactory.Passphrases);
            Assert.Throws<PowerCutException>(() => Loader(platform).Boot());
            attempts.Add(factory.BootControl().Trial!.AttemptsLeft);
        }

        var boot = await factory.BootAsync();

        Assert.Equal([2, 1, 0], attempts);
        Assert.StartsWith("booted slot a version 1.0: rolled-back (the trial of slot b (2.0) used all its boot attempts", boot.Output.Trim(), StringComparison.Ordinal);
        Assert.Equal(SlotState.Bad, factory.BootControl().Slots["b"].State);
    }

    [Fact]
    public async Task Boot_PowerLostOnceDuringTheTrial_NextBootCommits()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);
        var platform = new SimulatedDevicePlatform(new PowerCutStorage(new DirectoryDeviceStorage(factory.Device), cutAt: 2), ReleaseFactory.Passphrases);
        Assert.Throws<PowerCutException>(() => Loader(platform).Boot());

        var boot = await factory.BootAsync();

        Assert.Equal("booted slot b version 2.0: committed", boot.Output.Trim());
    }

    [Fact]
    public async Task Boot_CommittedSlotCorruptedAndOtherSlotHoldsTheSameCounter_RecoversToTheOtherSlot()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await factory.InstallAndBootAsync(ReleaseFactory.V2);
        var v21 = await factory.ReleaseAsync(BundleSpec.Healthy("2.1", 2));
        Assert.Equal("booted slot a version 2.1: committed", (await factory.InstallAndBootAsync(v21)).Output.Trim());
        await File.AppendAllTextAsync(factory.Combine("device", "slots", "a", "os.stage"), "x");

        var boot = await factory.BootAsync();
        var status = await factory.StatusAsync();

        Assert.StartsWith("booted slot b version 2.0: recovery (stage os of slot a does not match its signed hash", boot.Output.Trim(), StringComparison.Ordinal);
        Assert.Equal("b", StatusAssert.Text(status, "activeSlot"));
        StatusAssert.Slot(status, "a", "bad", "2.1", 2);
        StatusAssert.Slot(status, "b", "good", "2.0", 2);
        StatusAssert.LastResult(status, "recovery", "b", "2.0");
    }

    [Fact]
    public async Task Boot_CommittedSlotCorruptedAndOtherSlotBelowTheCounter_NoBootableSlotReportedTruthfully()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await factory.InstallAndBootAsync(ReleaseFactory.V2);
        await File.AppendAllTextAsync(factory.Combine("device", "slots", "b", "os.stage"), "x");

        var boot = await factory.BootAsync();
        var status = await factory.StatusAsync();

        // v1 in slot a is intact but below the counter v2 raised: anti-rollback wins over availability.
        Assert.Equal(1, boot.ExitCode);
        Assert.StartsWith("no slot booted: no-bootable-slot", boot.Output.Trim(), StringComparison.Ordinal);
        StatusAssert.Slot(status, "a", "bad", "1.0", 1);
        StatusAssert.Slot(status, "b", "bad", "2.0", 2);
        Assert.Null(StatusAssert.Text(status, "bootedSlot"));
        Assert.Null(StatusAssert.Text(status, "measurement"));
        Assert.Equal("no-bootable-slot", status.GetProperty("lastResult").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Boot_HealthProbeHangs_RolledBackAfterItsTimeout()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await File.WriteAllTextAsync(factory.Combine("device", "health.json"), """{"probes":[{"command":"sleep 20","timeout_seconds":1}]}""");
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);

        var boot = await factory.BootAsync();

        Assert.Equal("booted slot a version 1.0: rolled-back (health probe `sleep 20` did not finish within 1 s)", boot.Output.Trim());
    }

    [Fact]
    public async Task Boot_HealthProbeLeavesABackgroundProcess_VerdictWithinTheTimeout()
    {
        using var factory = await ReleaseFactory.CreateAsync();

        // A probe that starts a service and checks it: the service keeps the probe's output open.
        await File.WriteAllTextAsync(factory.Combine("device", "health.json"), """{"probes":[{"command":"sleep 30 & exit 0","timeout_seconds":3}]}""");
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var boot = await factory.BootAsync();

        Assert.Equal("booted slot b version 2.0: committed", boot.Output.Trim());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the boot took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("repo/metadata/timestamp.json", "committed")]
    [InlineData("repo/metadata/missing.json", "rolled-back")]
    public async Task Boot_UrlProbe_CommitsOnlyOn2xx(string path, string outcome)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await using var server = await RepositoryServer.StartAsync(factory.Repo, factory.Log);
        var probe = new Uri(server.BaseUri, path).AbsoluteUri;
        await File.WriteAllTextAsync(factory.Combine("device", "health.json"), $$"""{"probes":[{"url":"{{probe}}","timeout_seconds":5}]}""");
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);

        var boot = await factory.BootAsync();

        Assert.EndsWith(outcome, boot.Output.Trim().Split(" (")[0], StringComparison.Ordinal);
        if (outcome == "rolled-back")
        {
            Assert.Contains($"health probe {probe} answered 404", boot.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Boot_SlotNotMarkedTrialAnyMore_TrialDropped()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);
        var platform = ReleaseFactory.OpenDevice(factory.Device);
        var control = platform.ReadBootControl();
        platform.WriteBootControl(control.WithSlot("b", control.Slots["b"] with { State = SlotState.Writing }));

        var boot = Loader(ReleaseFactory.OpenDevice(factory.Device)).Boot();

        Assert.Equal(("rolled-back", "a", "1.0"), (boot.Outcome, boot.Slot, boot.Version));
        Assert.Null(factory.BootControl().Trial);
    }

    private static BootLoader Loader(IDevicePlatform platform) => new(platform, new ProbeHealthChecker(), TimeProvider.System);
}
