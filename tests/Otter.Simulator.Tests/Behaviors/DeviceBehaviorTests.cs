using Otter.Protocol.Rollouts;
using Otter.Simulator.Tests.Support;

namespace Otter.Simulator.Tests.Behaviors;

/// <summary>Each simulated behaviour does what it says, and the real agent copes (or refuses) as it should.</summary>
public sealed class DeviceBehaviorTests
{
    [Fact]
    public async Task Rollout_FlakySlowSkewedDevices_AllCommitAfterResumedDownloads()
    {
        await using var world = await SimulatedWorld.StartAsync();
        var flaky = world.Fleet.Add("flaky", DeviceBehavior.FlakyNetwork);
        var slow = world.Fleet.Add("slow", DeviceBehavior.SlowLink);
        var skewed = world.Fleet.Add("skewed", DeviceBehavior.ClockSkew);
        var healthy = world.Fleet.Add("healthy");
        await world.EnrollAsync();
        using var api = world.Server.Api();
        var release = await world.PublishAsync("1.0.0", 1);

        var rollout = await SimulatedWorld.StartRolloutAsync(api, new RolloutRequest { Release = release.Name, Waves = ["100"], Soak = "0s", SuccessPercent = 100 });
        var view = await world.DriveAsync(rollout.Id, TimeSpan.FromSeconds(60));

        Assert.Equal("completed", view.Status);
        Assert.All(new[] { flaky, slow, skewed, healthy }, d => Assert.Equal(1, d.Installs.GetValueOrDefault(release.Name)));
        Assert.True(flaky.Network.Resets >= 1, "the flaky link never reset a download");
        Assert.Equal(0, healthy.Network.Resets);
        Assert.True(slow.Network.DelayedReads >= 1);
        Assert.NotEqual(world.Fleet.Devices[0].Time.GetUtcNow().Hour, skewed.Time.GetUtcNow().Hour);
    }

    [Theory]
    [InlineData(FirmwareBehavior.FailsHealthProbe, "self-test failed")]
    [InlineData(FirmwareBehavior.FailsToBoot, "kernel panic")]
    public async Task Rollout_FaultyFirmware_CanaryRollsBackAndRolloutHalts(FirmwareBehavior firmware, string reason)
    {
        await using var world = await SimulatedWorld.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            world.Fleet.Add($"dev-{i}");
        }

        await world.EnrollAsync();
        using var api = world.Server.Api();
        var good = await world.PublishAsync("1.0.0", 1);
        var first = await SimulatedWorld.StartRolloutAsync(api, new RolloutRequest { Release = good.Name, Waves = ["100"], Soak = "0s", SuccessPercent = 100 });
        Assert.Equal("completed", (await world.DriveAsync(first.Id, TimeSpan.FromSeconds(60))).Status);
        var bad = await world.PublishAsync("2.0.0", 2, firmware);

        var rollout = await SimulatedWorld.StartRolloutAsync(api, new RolloutRequest { Release = bad.Name, Waves = ["20", "100"], Soak = "0s", ErrorPercent = 5 });
        var view = await world.DriveAsync(rollout.Id, TimeSpan.FromSeconds(60));

        Assert.Equal("halted", view.Status);
        var canary = Assert.Single(world.Fleet.Devices, d => d.RolledBack > 0);
        Assert.Contains(reason, canary.LastError, StringComparison.Ordinal);
        Assert.All(world.Fleet.Devices, d => Assert.Equal("1.0.0", d.RunningVersion));
        Assert.Equal(4, world.Fleet.Devices.Count(d => !d.Installs.ContainsKey(bad.Name)));
    }

    [Fact]
    public async Task Rollout_DeviceWithBrokenProbe_RollsBackHealthyFirmware()
    {
        await using var world = await SimulatedWorld.StartAsync();
        var broken = world.Fleet.Add("broken", DeviceBehavior.FailsHealthProbe);
        await world.EnrollAsync();
        using var api = world.Server.Api();
        var release = await world.PublishAsync("1.0.0", 1);

        var rollout = await SimulatedWorld.StartRolloutAsync(api, new RolloutRequest { Release = release.Name, Waves = ["100"], Soak = "0s", ErrorPercent = 50 });
        var view = await world.DriveAsync(rollout.Id, TimeSpan.FromSeconds(60));

        Assert.Equal("halted", view.Status);
        Assert.Equal(1, broken.RolledBack);
        Assert.Contains("sensor bus", broken.LastError, StringComparison.Ordinal);
        Assert.Null(broken.RunningVersion);
    }
}
