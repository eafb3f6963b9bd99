using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Protocol.Rollouts;
using Otter.Simulator;
using Otter.Trust.Keys;

namespace Otter.Simulator.Tests.Support;

/// <summary>
/// A real server (in this process, its rollout engine ticking every second) and a simulated fleet
/// of real agents talking to it over mutual TLS; releases are real signed bundles.
/// </summary>
internal sealed class SimulatedWorld : IAsyncDisposable
{
    public const string Hardware = "gw-x2";
    private readonly ISigner _bootKey;

    private SimulatedWorld(ServerFixture server, ISigner bootKey, FleetSimulator fleet)
    {
        Server = server;
        _bootKey = bootKey;
        Fleet = fleet;
    }

    public ServerFixture Server { get; }

    public FleetSimulator Fleet { get; }

    public static async Task<SimulatedWorld> StartAsync(Func<Uri, FleetSimulatorOptions>? options = null)
    {
        var server = await ServerFixture.StartAsync();

        // A test's device checks in every few hundred milliseconds; the engine ticks every second.
        await server.StopAsync();
        Tune(server.DataDirectory);
        await server.StartServerAsync();
        var bootKey = TestKeys.OpenSigner(TestKeys.Create(Path.Combine(server.WorkDirectory, "keys"), "boot"));
        var trust = FleetTrust.FromServerData(server.DataDirectory, bootKey.PublicKey.KeyValue.Public);
        var fleet = FleetSimulator.Create(trust, options?.Invoke(server.DeviceUrl) ?? new FleetSimulatorOptions { Server = server.DeviceUrl });
        return new SimulatedWorld(server, bootKey, fleet);
    }

    /// <summary>Rollout ticks every second, no per-device rate limit worth the name.</summary>
    public static void Tune(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "server.json");
        var settings = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        settings["rollout_tick_seconds"] = 1;
        settings["device_requests_per_minute"] = 100_000;
        File.WriteAllText(path, settings.ToJsonString());
    }

    /// <summary>Every device's first cycle: it enrolls (factory identity for a fleet certificate) and checks in.</summary>
    public async Task EnrollAsync()
    {
        await Fleet.RunCycleAsync();
        var failed = Fleet.Devices.Where(d => d.FailedCycles > 0).ToList();
        Assert.True(failed.Count == 0, string.Join(" | ", failed.Select(d => $"{d.Id}: {string.Join(" / ", d.Log)}")));
    }

    public async Task<ReleaseInfo> PublishAsync(string version, long counter, FirmwareBehavior behavior = FirmwareBehavior.Healthy) =>
        await PublishAsync(Server.Api(), Server.WorkDirectory, _bootKey, version, counter, behavior);

    public static async Task<ReleaseInfo> PublishAsync(HttpClient api, string directory, ISigner bootKey, string version, long counter, FirmwareBehavior behavior = FirmwareBehavior.Healthy)
    {
        var bundle = SimulatedFirmware.Create(Path.Combine(directory, "releases"), version, counter, Hardware, behavior, bootKey, osBytes: 32 * 1024);
        await using var file = File.OpenRead(bundle);
        using var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await api.PostAsync($"api/v1/releases?name={Uri.EscapeDataString($"fw/{Hardware}/{version}.bundle")}", content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.PublishResult))!.Release;
    }

    public static async Task<RolloutView> StartRolloutAsync(HttpClient api, RolloutRequest request)
    {
        using var created = await api.PostAsJsonAsync("api/v1/rollouts", request, ProtocolJsonContext.Default.RolloutRequest);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var rollout = (await created.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.RolloutView))!;
        using var started = await api.PostAsync($"api/v1/rollouts/{rollout.Id}/start", null);
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        return (await started.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.RolloutView))!;
    }

    public static async Task<RolloutView> StatusAsync(HttpClient api, long id) =>
        (await api.GetFromJsonAsync($"api/v1/rollouts/{id}", ProtocolJsonContext.Default.RolloutView))!;

    /// <summary>Sweeps the fleet until the rollout is no longer running (or <paramref name="limit"/> passes); returns its last view.</summary>
    public async Task<RolloutView> DriveAsync(long id, TimeSpan limit)
    {
        using var api = Server.Api();
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var view = await StatusAsync(api, id);
            if (view.Status is not ("running" or "created" or "scheduled") || DateTime.UtcNow > deadline)
            {
                return view;
            }

            await Fleet.RunCycleAsync();
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Fleet.StopAsync();
        Fleet.Dispose();
        _bootKey.Dispose();
        await Server.DisposeAsync();
    }
}
