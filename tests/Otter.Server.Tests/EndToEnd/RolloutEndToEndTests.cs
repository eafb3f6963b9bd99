using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Otter.Protocol;
using Otter.Protocol.Rollouts;
using Otter.Server.Rollouts;
using Otter.Server.Tests.Support;

namespace Otter.Server.Tests.EndToEnd;

/// <summary>A phased rollout through two waves to real <c>otter-agent</c> processes over mTLS.</summary>
public sealed class RolloutEndToEndTests
{
    [Fact]
    public async Task Rollout_RealAgentsTwoWaves_EveryDeviceUpdatedOnceAndCompleted()
    {
        await using var server = await ServerFixture.StartAsync(backgroundWork: false);
        var engine = server.Services.GetRequiredService<RolloutEngine>();
        var devices = Enumerable.Range(1, 4).Select(i => ($"gw-wave-{i}", Path.Combine(server.WorkDirectory, $"device-{i}"))).ToList();
        foreach (var (id, directory) in devices)
        {
            AgentEndToEndTests.Provision(server, directory, id);
            Run(server, directory);
        }

        var release = (await TestReleases.PublishAsync(server, "fw/gw-x2/2.0.0.bundle", TestReleases.Bundle(server.WorkDirectory, "2.0.0", counter: 2, osBytes: 64 * 1024))).Release;
        using var api = server.Api();
        using var created = await api.PostAsJsonAsync("api/v1/rollouts", new RolloutRequest { Release = release.Name, Waves = ["25", "100"], Soak = "0s" }, ProtocolJsonContext.Default.RolloutRequest);
        var rollout = (await created.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.RolloutView))!;
        (await api.PostAsync($"api/v1/rollouts/{rollout.Id}/start", null)).EnsureSuccessStatusCode();

        var outputs = new Dictionary<string, List<string>>();
        for (var round = 0; round < 4; round++)
        {
            await engine.TickAsync(CancellationToken.None);
            var status = await api.GetFromJsonAsync($"api/v1/rollouts/{rollout.Id}", ProtocolJsonContext.Default.RolloutView);
            if (status!.Status == "completed")
            {
                break;
            }

            foreach (var (id, directory) in devices)
            {
                var output = Run(server, directory);
                outputs.TryAdd(id, []);
                outputs[id].Add(output);
            }

            await engine.TickAsync(CancellationToken.None);
        }

        var final = (await api.GetFromJsonAsync($"api/v1/rollouts/{rollout.Id}", ProtocolJsonContext.Default.RolloutView))!;
        Assert.Equal("completed", final.Status);
        Assert.Equal([1, 3], final.Waves.Select(w => w.Committed));
        foreach (var (id, _) in devices)
        {
            var view = (await api.GetFromJsonAsync($"api/v1/devices/{id}", ProtocolJsonContext.Default.DeviceView))!;
            Assert.Equal("2.0.0", view.Slots[view.ActiveSlot!].Version);
            Assert.Equal("good", view.Attestation);
            Assert.Equal(1, outputs[id].Count(o => o.Contains("downloading ", StringComparison.Ordinal)));
        }
    }

    private static string Run(ServerFixture server, string device)
    {
        var result = AgentEndToEndTests.Agent("run", "--device", device, "--server", server.DeviceUrl.AbsoluteUri, "--once");
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        return result.StandardOutput;
    }
}
