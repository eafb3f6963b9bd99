using System.Net.Http.Json;
using Otter.Agent.Platform;
using Otter.Protocol;
using Otter.Protocol.Rollouts;
using Otter.Simulator.Tests.Support;

namespace Otter.Simulator.Tests.FaultInjection;

/// <summary>A man in the middle flips bits of firmware, metadata and log responses: the agent's verification must refuse every altered byte.</summary>
public sealed class ManInTheMiddleTests
{
    [Fact]
    public async Task Rollout_BytesAlteredInFlight_NothingAlteredInstalled()
    {
        await using var world = await SimulatedWorld.StartAsync();
        var honest = Enumerable.Range(0, 4).Select(i => world.Fleet.Add($"ok-{i}")).ToList();
        var firmware = Enumerable.Range(0, 6).Select(i => world.Fleet.Add($"mitm-fw-{i}", DeviceBehavior.ManInTheMiddle)).ToList();
        var metadata = Enumerable.Range(0, 4).Select(i => world.Fleet.Add($"mitm-meta-{i}", DeviceBehavior.ManInTheMiddleMetadata)).ToList();
        var attacked = firmware.Concat(metadata).ToList();
        await world.EnrollAsync();
        using var api = world.Server.Api();
        var release = await world.PublishAsync("1.0.0", 1);

        // Every device is offered the release once (a failed attempt is not retried on its own).
        var rollout = await SimulatedWorld.StartRolloutAsync(api, new RolloutRequest { Release = release.Name, Waves = ["100"], Soak = "0s", SuccessPercent = 100, ErrorPercent = 100 });
        for (var round = 0; round < 6; round++)
        {
            await world.Fleet.RunCycleAsync();
            await Task.Delay(300);
        }

        var status = await SimulatedWorld.StatusAsync(api, rollout.Id);
        Assert.All(honest, d => Assert.Equal("1.0.0", d.RunningVersion));
        Assert.All(firmware, d => Assert.True(d.Network.AlteredTargets >= 1, $"{d.Id}: no firmware download was altered; {string.Join(" / ", d.Log)}"));
        Assert.All(metadata, d => Assert.True(d.Network.AlteredOther >= 1, $"{d.Id}: no metadata response was altered; {string.Join(" / ", d.Log)}"));
        foreach (var device in attacked)
        {
            // Every download was altered, so nothing may be staged, committed or left in a slot.
            var control = device.BootControl;
            Assert.True(device.Refusals >= 1, $"{device.Id}: {string.Join(" / ", device.Log)}");
            Assert.Empty(device.Installs);
            Assert.All(control.Slots.Values, slot => Assert.Equal(SlotState.Empty, slot.State));
            Assert.Null(control.Booted);
            foreach (var slot in BootControl.SlotNames)
            {
                Assert.Null(device.Storage.ReadFile(DevicePaths.Manifest(slot)));
                Assert.False(device.Storage.Exists(DevicePaths.Stage(slot, "os")), $"{device.Id}: bytes left in slot {slot}");
            }

            var view = (await api.GetFromJsonAsync($"api/v1/devices/{device.Id}", ProtocolJsonContext.Default.DeviceView))!;
            Assert.Null(view.ActiveSlot);
        }

        Assert.Equal(attacked.Count, status.Waves.Sum(w => w.Failed));
        Assert.Equal(honest.Count, status.Waves.Sum(w => w.Committed));
    }
}
