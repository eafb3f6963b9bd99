using Otter.Agent.Boot;
using Otter.Agent.Health;
using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;
using Otter.Agent.Update;
using Otter.Ledger.Storage;
using Otter.Trust.Tuf.Client;
using Xunit.Abstractions;

namespace Otter.Agent.Tests.Platform;

/// <summary>
/// DESIGN §5 "power loss at any persisted step of an install": the power is cut at every
/// mutating storage operation of one install-and-boot in turn; after each, a fresh boot finds
/// a verified image, the status tells the truth, and the next install completes. 0 bricked.
/// </summary>
public sealed class PowerCutSweepTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0)]
    [InlineData(300_000)]
    public async Task InstallThenBoot_PowerCutAtEveryPersistedStep_AlwaysBootsAVerifiedImageAndRecovers(int osLength)
    {
        using var factory = await ReleaseFactory.CreateAsync();

        // The small release writes each stage at once; the large one streams its OS stage in several writes.
        var release = osLength == 0 ? ReleaseFactory.V2 : await factory.ReleaseAsync(BundleSpec.Healthy("2.0", 2) with { OsLength = osLength }, "fw-2.0-large.bin");
        var counted = factory.CopyDevice("count");
        var total = await InstallAndBootAsync(factory, counted, release, long.MaxValue);
        Assert.False(total.PowerCut);
        Assert.True(total.Operations >= (osLength == 0 ? 15 : 18), $"only {total.Operations} persisted steps counted: {string.Join(", ", total.OperationLog)}");

        output.WriteLine($"{total.Operations} persisted steps: {string.Join(", ", total.OperationLog)}");
        var landed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (long k = 1; k <= total.Operations; k++)
        {
            var device = factory.CopyDevice($"cut-{k}");
            var storage = await InstallAndBootAsync(factory, device, release, k);
            var step = total.OperationLog[(int)k - 1];
            Assert.True(storage.PowerCut, $"cut {k} ({step}) never happened");

            // Power is back: a new platform over the plain folder, as after a real reboot.
            var reboot = new BootLoader(ReleaseFactory.OpenDevice(device), new ProbeHealthChecker(), TimeProvider.System).Boot();
            Assert.True(reboot.Slot is not null, $"cut {k} ({step}) bricked the device: {reboot.Outcome} {reboot.Detail}");
            Assert.Contains(reboot.Version, new[] { "1.0", "2.0" });
            var chain = BootChainVerifier.Verify(ReleaseFactory.OpenDevice(device), reboot.Slot!, 0);
            Assert.True(chain.Ok, $"cut {k} ({step}): slot {reboot.Slot} booted but does not verify: {chain.Failure}");
            Assert.Equal(reboot.Version, chain.Manifest!.Manifest.Version);
            await AssertStatusTruthfulAsync(factory, device, reboot, $"cut {k} ({step})");
            landed[reboot.Version!] = landed.GetValueOrDefault(reboot.Version!) + 1;

            // And the device is still usable: the next install completes and commits.
            var install = await factory.InstallAsync(release, device);
            Assert.True(install.ExitCode == 0, $"cut {k} ({step}): the next install failed: {install}");
            var boot = await factory.BootAsync(device);
            Assert.Matches("^booted slot [ab] version 2.0: committed$", boot.Output.Trim());
            var status = await factory.StatusAsync(device);
            Assert.Equal(2, status.GetProperty("securityCounter").GetInt64());
            Directory.Delete(device, recursive: true);
        }

        // Both sides of the commit point were hit: early cuts keep v1, late ones v2.
        output.WriteLine($"after the cut: {string.Join(", ", landed)}");
        Assert.True(landed.GetValueOrDefault("1.0") > 0 && landed.GetValueOrDefault("2.0") > 0, string.Join(", ", landed));
    }

    [Fact]
    public async Task PowerCutStorage_CountsEveryMutationAndTearsTheCutOne()
    {
        using var temp = new TempDirectory();
        var storage = new PowerCutStorage(new DirectoryDeviceStorage(temp.Path), cutAt: 4);
        storage.WriteFileAtomic("x/one", "1"u8);
        var stream = storage.CreateFile("x/two");
        stream.Write(new byte[10]);

        var torn = Assert.Throws<PowerCutException>(() => stream.Write(new byte[10]));
        var later = Assert.Throws<PowerCutException>(() => storage.Delete("x/one"));
        Assert.Throws<PowerCutException>(stream.Dispose);

        Assert.Contains("operation 4", torn.Message, StringComparison.Ordinal);
        Assert.Contains("operation 5", later.Message, StringComparison.Ordinal);
        Assert.Equal(15, new FileInfo(temp.Combine("x", "two")).Length);
        Assert.True(File.Exists(temp.Combine("x", "one")));
    }

    private static async Task<PowerCutStorage> InstallAndBootAsync(ReleaseFactory factory, string device, string release, long cutAt)
    {
        var storage = new PowerCutStorage(new DirectoryDeviceStorage(device), cutAt);
        var platform = new SimulatedDevicePlatform(storage, ReleaseFactory.Passphrases);
        try
        {
            await new UpdateClient(platform, TimeProvider.System).InstallAsync(new DirectoryRepositoryFetcher(factory.Repo), new DirectoryLogStorage(factory.Log), release);
            var outcome = new BootLoader(platform, new ProbeHealthChecker(), TimeProvider.System).Boot();
            Assert.Equal("committed", outcome.Outcome);
        }
        catch (PowerCutException)
        {
        }

        return storage;
    }

    private static async Task AssertStatusTruthfulAsync(ReleaseFactory factory, string device, BootOutcome reboot, string context)
    {
        var status = await factory.StatusAsync(device);
        var slot = reboot.Slot!;
        var counter = reboot.Version == "2.0" ? 2 : 1;
        Assert.True(StatusAssert.Text(status, "activeSlot") == slot, $"{context}: status says active slot {StatusAssert.Text(status, "activeSlot")}, {slot} booted");
        Assert.Equal(slot, StatusAssert.Text(status, "bootedSlot"));
        Assert.Null(StatusAssert.Text(status, "pendingTrial"));
        StatusAssert.Slot(status, slot, "good", reboot.Version, counter);
        Assert.Equal(counter, status.GetProperty("securityCounter").GetInt64());
        Assert.Equal(Measurements.Expected(device, slot), StatusAssert.Text(status, "measurement"));
        Assert.Equal(reboot.Measurement, StatusAssert.Text(status, "measurement"));
        var last = status.GetProperty("lastResult");
        Assert.Contains(last.GetProperty("outcome").GetString(), new[] { "booted", "committed" });

        // The other slot never claims to hold something that is not there.
        var other = BootControl.Other(slot);
        var otherState = status.GetProperty("slots").GetProperty(other).GetProperty("state").GetString();
        Assert.NotEqual("trial", otherState);
        if (otherState == "good")
        {
            Assert.True(BootChainVerifier.Verify(ReleaseFactory.OpenDevice(device), other, 0).Ok, $"{context}: slot {other} is reported good but does not verify");
        }
    }
}
