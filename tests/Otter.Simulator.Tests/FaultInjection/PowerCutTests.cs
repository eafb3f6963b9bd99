using Otter.Agent.Boot;
using Otter.Agent.Platform;
using Otter.Protocol.Rollouts;
using Otter.Simulator.Tests.Support;
using Xunit.Abstractions;

namespace Otter.Simulator.Tests.FaultInjection;

/// <summary>Random power cuts across a simulated fleet going through release after release: no device may ever be left without a verified image.</summary>
public sealed class PowerCutTests(ITestOutputHelper output)
{
    private const int Devices = 20;
    private const int RequiredCuts = 200;

    [Fact]
    public async Task Rollouts_200RandomPowerCutsAcrossFleet_NoDeviceBricked()
    {
        await using var world = await SimulatedWorld.StartAsync(url => new FleetSimulatorOptions { Server = url, PowerCutChance = 0.6, PowerCutWindow = 30 });
        for (var i = 0; i < Devices; i++)
        {
            world.Fleet.Add($"pc-{i:D3}", DeviceBehavior.PowerCut);
        }

        await world.EnrollAsync();
        using var api = world.Server.Api();
        var cuts = 0;
        var release = 0;
        RolloutView? last = null;
        while (cuts < RequiredCuts)
        {
            release++;
            Assert.True(release <= 40, $"only {cuts} power cuts after {release - 1} releases");
            var info = await world.PublishAsync($"{release}.0.0", release);
            var rollout = await SimulatedWorld.StartRolloutAsync(api, new RolloutRequest { Release = info.Name, Waves = ["100"], Soak = "0s", SuccessPercent = 100, ErrorPercent = 100 });
            last = await world.DriveAsync(rollout.Id, TimeSpan.FromSeconds(60));
            Assert.True(last.Status == "completed", $"rollout of {info.Version}: {last.Status} {last.HaltReason}; {string.Join(" | ", world.Fleet.Devices.Where(d => d.RunningVersion != info.Version).Select(d => $"{d.Id}: {string.Join(" / ", d.Log.TakeLast(4))}"))}");
            cuts = world.Fleet.Devices.Sum(d => d.PowerCuts.Count);
        }

        var devices = world.Fleet.Devices;
        var hits = devices.SelectMany(d => d.PowerCuts).ToList();
        output.WriteLine($"{hits.Count} power cuts over {release} releases on {Devices} devices; where they hit:");
        foreach (var group in hits.GroupBy(Where).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  {group.Count(),4} {group.Key}");
        }

        Assert.True(hits.Count >= RequiredCuts);
        Assert.Equal(0, devices.Sum(d => d.Bricked));

        // The cuts landed inside installs and boots, not only on idle check-ins.
        Assert.True(hits.Count(h => h.Contains("slots/", StringComparison.Ordinal)) >= 20, string.Join("\n", hits.GroupBy(h => h.Split(' ')[0] + " " + h.Split(' ')[^1]).Select(g => $"{g.Count()} {g.Key}")));
        Assert.Contains(hits, h => h.Contains(DevicePaths.BootControl, StringComparison.Ordinal));

        // Every device ends on the last release, committed, with a boot chain that verifies now.
        foreach (var device in devices)
        {
            var control = device.BootControl;
            Assert.True(control.Booted is not null, $"{device.Id}: nothing booted; {string.Join(" / ", device.Log)}");
            Assert.Equal($"{release}.0.0", control.Slots[control.Booted!].Version);
            Assert.Equal(SlotState.Good, control.Slots[control.Booted!].State);
        }

        Assert.Equal("completed", last!.Status);
    }

    /// <summary>"write 16384 bytes to slots/b/os.stage" → "write slots/b/os.stage".</summary>
    private static string Where(string operation)
    {
        var words = operation.Split(' ');
        return $"{words[0]} {words[^1]}";
    }
}
