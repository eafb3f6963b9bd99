using System.Security.Cryptography;
using Otter.Agent.Tests.TestSupport;
using Otter.Ledger.Records;

namespace Otter.Agent.Tests.Update;

/// <summary>
/// DESIGN §5, transparency log rows: a release missing from the log, a bad inclusion proof, or a
/// checkpoint inconsistent with the one the device accepted (split view) is refused; the
/// committed slot, its boot state and the trusted checkpoint stay as they were.
/// </summary>
public sealed class LogThreatTests
{
    [Fact]
    public async Task Install_ReleaseWithoutLogEntry_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = await factory.BuildBundleAsync(BundleSpec.Healthy("2.3", 2));
        Assert.Equal(0, (await factory.PublishAsync(bundle, "fw-2.3.bin", "2.3", 2, logged: false)).ExitCode);
        var before = ActiveSlotState.Capture(factory.Device);
        var checkpoint = await File.ReadAllBytesAsync(factory.Combine("device", "state", "log-checkpoint"));

        var install = await factory.InstallAsync("fw-2.3.bin");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("fw-2.3.bin is not recorded in the transparency log (no otter_log entry in its metadata); refused.", install.Error, StringComparison.Ordinal);
        Assert.Equal(checkpoint, await File.ReadAllBytesAsync(factory.Combine("device", "state", "log-checkpoint")));
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ReleaseClaimingAnEntryBeyondTheLog_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = await factory.BuildBundleAsync(BundleSpec.Healthy("2.3", 2));
        factory.PublishClaimingLogEntry(bundle, "fw-2.3.bin", "2.3", 2, logIndex: 99);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync("fw-2.3.bin");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("fw-2.3.bin claims log entry 99, but the log has 2 entries; refused.", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ReleaseClaimingAnotherReleasesEntry_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = await factory.BuildBundleAsync(BundleSpec.Healthy("2.3", 2));
        factory.PublishClaimingLogEntry(bundle, "fw-2.3.bin", "2.3", 2, logIndex: 1);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync("fw-2.3.bin");

        Assert.Equal(1, install.ExitCode);
        Assert.NotEmpty(install.Error);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_LoggedRecordNamesOtherBytes_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = await factory.BuildBundleAsync(BundleSpec.Healthy("2.3", 2));
        var other = await factory.BuildBundleAsync(BundleSpec.Healthy("2.3", 2) with { Salt = "-other" });

        // The log shows the world one artifact; the repository serves this device another.
        var index = await factory.AppendToLogAsync(new ReleaseRecord
        {
            Name = "fw-2.3.bin",
            Version = "2.3",
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(other))),
            Length = new FileInfo(bundle).Length,
            SecurityCounter = 2,
            Hardware = ReleaseFactory.Hardware,
            Kind = "firmware",
        });
        factory.PublishClaimingLogEntry(bundle, "fw-2.3.bin", "2.3", 2, index);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync("fw-2.3.bin");

        Assert.Equal(2, index);
        Assert.Equal(1, install.ExitCode);
        Assert.NotEmpty(install.Error);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ReleaseLoggedInAnotherLog_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var bundle = await factory.BuildBundleAsync(BundleSpec.Healthy("2.3", 2));
        factory.PublishClaimingLogEntry(bundle, "fw-2.3.bin", "2.3", 2, logIndex: 0, origin: "elsewhere.example/log");
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync("fw-2.3.bin");

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("is recorded in the log elsewhere.example/log, not in test.example/log", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_TileHashOnTheInclusionPathTampered_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await TamperLeafHashAsync(factory, leaf: 0);
        var fresh = factory.Combine("fresh");
        Assert.Equal(0, (await factory.ProvisionAsync(fresh)).ExitCode);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(ReleaseFactory.V2);
        var freshInstall = await factory.InstallAsync(ReleaseFactory.V2, fresh);

        Assert.Equal(1, install.ExitCode);
        Assert.Equal(1, freshInstall.ExitCode);
        Assert.NotEmpty(install.Error);
        Assert.Empty(Directory.EnumerateFiles(factory.Combine("fresh", "slots", "a")));
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_TileHashOnTheConsistencyPathTampered_RefusedByDeviceThatKeepsACheckpoint()
    {
        using var factory = await ReleaseFactory.CreateAsync();

        // Leaf 1 is v2's own hash: its inclusion proof does not use it (the device hashes the
        // record itself), but the proof that the log grew from size 1 to 2 does.
        await TamperLeafHashAsync(factory, leaf: 1);
        var checkpoint = await File.ReadAllBytesAsync(factory.Combine("device", "state", "log-checkpoint"));
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(ReleaseFactory.V2);

        Assert.Equal(1, install.ExitCode);
        Assert.NotEmpty(install.Error);
        Assert.Equal(checkpoint, await File.ReadAllBytesAsync(factory.Combine("device", "state", "log-checkpoint")));
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_SplitViewLogThatGrewDifferently_RefusedByDeviceThatSawTheOtherView()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var forked = await ForkLogAsync(factory, entries: 2);
        var checkpoint = await File.ReadAllBytesAsync(factory.Combine("device", "state", "log-checkpoint"));
        var fresh = factory.Combine("fresh");
        Assert.Equal(0, (await factory.ProvisionAsync(fresh)).ExitCode);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(forked, log: factory.Combine("log-b"));
        var freshInstall = await factory.InstallAsync(forked, fresh, log: factory.Combine("log-b"));

        Assert.Equal(1, install.ExitCode);
        Assert.NotEmpty(install.Error);
        Assert.Equal(checkpoint, await File.ReadAllBytesAsync(factory.Combine("device", "state", "log-checkpoint")));
        await before.AssertRefusedAndBootsOldAsync(factory.Device);

        // A device that never saw the other view cannot tell: the defence is the checkpoint it keeps.
        Assert.True(freshInstall.ExitCode == 0, freshInstall.ToString());
    }

    [Fact]
    public async Task Install_SplitViewSameSizeOtherRoot_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var forked = await ForkLogAsync(factory, entries: 1);
        var checkpoint = await File.ReadAllBytesAsync(factory.Combine("device", "state", "log-checkpoint"));
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(forked, log: factory.Combine("log-b"));

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("split view", install.Error, StringComparison.Ordinal);
        Assert.Equal(checkpoint, await File.ReadAllBytesAsync(factory.Combine("device", "state", "log-checkpoint")));
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_LogSmallerThanTheAcceptedCheckpoint_Refused()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await factory.InstallAndBootAsync(ReleaseFactory.V2);
        var forked = await ForkLogAsync(factory, entries: 1);
        var checkpoint = await File.ReadAllBytesAsync(factory.Combine("device", "state", "log-checkpoint"));
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await factory.InstallAsync(forked, log: factory.Combine("log-b"));

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("a log never shrinks", install.Error, StringComparison.Ordinal);
        Assert.Equal(checkpoint, await File.ReadAllBytesAsync(factory.Combine("device", "state", "log-checkpoint")));
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    private static async Task TamperLeafHashAsync(ReleaseFactory factory, int leaf)
    {
        var tile = factory.Combine("log", "tile", "0", "000.p", "2");
        var bytes = await File.ReadAllBytesAsync(tile);
        bytes[(leaf * 32) + 7] ^= 0x01;
        await File.WriteAllBytesAsync(tile, bytes);
    }

    /// <summary>
    /// A second log with the same key and origin that diverges from entry 0 (what a compromised
    /// log operator shows some devices); <paramref name="entries"/> releases are logged in it
    /// only. Returns the last one's target name.
    /// </summary>
    private static async Task<string> ForkLogAsync(ReleaseFactory factory, int entries)
    {
        var log = factory.Combine("log-b");
        await OtterRunner.RunOkAsync("log", "init", log, "--key", factory.Key("log"), "--origin", ReleaseFactory.LogOrigin);
        var name = string.Empty;
        for (var i = 0; i < entries; i++)
        {
            var bundle = await factory.BuildBundleAsync(BundleSpec.Healthy("2.4", 2) with { Salt = $"-fork{i}" });
            name = $"fw-2.4-fork{i}.bin";
            var published = await factory.PublishAsync(bundle, name, "2.4", 2, log: log);
            Assert.True(published.ExitCode == 0, published.ToString());
        }

        return name;
    }
}
