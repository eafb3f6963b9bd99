using Otter.Agent.Boot;
using Otter.Agent.Health;
using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;
using Otter.Agent.Update;
using Otter.Ledger.Storage;
using Otter.Trust.Tuf.Client;

namespace Otter.Agent.Tests.Update;

/// <summary>The update client as a library: what an install records, and the TUF rows a device meets on its own.</summary>
public sealed class UpdateClientTests
{
    [Fact]
    public async Task InstallAsync_NewRelease_StagesATrialAndReportsTheLogPosition()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var platform = ReleaseFactory.OpenDevice(factory.Device);

        var outcome = await Client(platform).InstallAsync(new DirectoryRepositoryFetcher(factory.Repo), new DirectoryLogStorage(factory.Log), ReleaseFactory.V2);
        var control = platform.ReadBootControl();

        Assert.Equal(new InstallOutcome("b", ReleaseFactory.V2, "2.0", 2, 1, 2), outcome);
        Assert.Equal(new TrialBoot { Slot = "b", AttemptsLeft = 3 }, control.Trial);
        Assert.Equal(SlotState.Trial, control.Slots["b"].State);
        Assert.Equal(Measurements.ManifestSha256(factory.Device, "b"), control.Slots["b"].ManifestSha256);
        Assert.Equal("installed", control.LastResult!.Outcome);
        Assert.Equal("a", control.Active);
        Assert.Equal(1, control.SecurityCounter);
        Assert.StartsWith("test.example/log\n2\n", await File.ReadAllTextAsync(factory.Combine("device", "state", "log-checkpoint")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstallAsync_WhileATrialIsPending_ReplacesTheTrial()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var v21 = await factory.ReleaseAsync(BundleSpec.Healthy("2.1", 2));
        Assert.Equal(0, (await factory.InstallAsync(ReleaseFactory.V2)).ExitCode);

        var install = await factory.InstallAsync(v21);
        var boot = await factory.BootAsync();

        Assert.Contains("in slot b", install.Output, StringComparison.Ordinal);
        Assert.Equal("booted slot b version 2.1: committed", boot.Output.Trim());
    }

    [Fact]
    public async Task InstallAsync_EndlessTarget_ReadsNoMoreThanTheSignedLength()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var platform = ReleaseFactory.OpenDevice(factory.Device);
        var fetcher = new EndlessTargetFetcher(new DirectoryRepositoryFetcher(factory.Repo));
        var before = ActiveSlotState.Capture(factory.Device);
        var length = new FileInfo(factory.StoredTarget(ReleaseFactory.V2)).Length;

        var error = await Assert.ThrowsAsync<AgentException>(() => Client(platform).InstallAsync(fetcher, new DirectoryLogStorage(factory.Log), ReleaseFactory.V2));

        Assert.Contains("is longer than the", error.Message, StringComparison.Ordinal);
        Assert.InRange(fetcher.Served, length, length + 1);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task InstallAsync_MetadataExpired_RefusedAndNothingInstalled()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var platform = ReleaseFactory.OpenDevice(factory.Device);
        var before = ActiveSlotState.Capture(factory.Device);

        // The timestamp role expires after a day: a repository frozen in time is refused.
        var later = new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(3));
        var error = await Assert.ThrowsAsync<AgentException>(() => new UpdateClient(platform, later).InstallAsync(new DirectoryRepositoryFetcher(factory.Repo), new DirectoryLogStorage(factory.Log), ReleaseFactory.V2));

        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task InstallAsync_UnknownTarget_RefusedAndNothingInstalled()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync("fw-9.9.bin");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("fw-9.9.bin", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task InstallAsync_ReleaseWithoutOtterMetadata_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = await factory.BuildBundleAsync(BundleSpec.Healthy("2.1", 2));
        var added = await OtterRunner.RunAsync(
            "repo", "add", factory.Repo, bundle, "--name", "plain.bin",
            "--targets-key", factory.Key("targets"), "--snapshot-key", factory.Key("snapshot"), "--timestamp-key", factory.Key("timestamp"));
        Assert.Equal(0, added.ExitCode);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync("plain.bin");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("plain.bin has no version in its signed metadata; it is not an Otter release.", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task InstallThenBoot_Library_CommitsAndRaisesTheCounter()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var platform = ReleaseFactory.OpenDevice(factory.Device);
        await Client(platform).InstallAsync(new DirectoryRepositoryFetcher(factory.Repo), new DirectoryLogStorage(factory.Log), ReleaseFactory.V2);

        var boot = new BootLoader(platform, new ProbeHealthChecker(), TimeProvider.System).Boot();

        Assert.Equal(new BootOutcome("committed", "b", "2.0", null, Measurements.Expected(factory.Device, "b")), boot);
        Assert.Equal(2, platform.ReadBootControl().SecurityCounter);
    }

    private static UpdateClient Client(IDevicePlatform platform) => new(platform, TimeProvider.System);
}
