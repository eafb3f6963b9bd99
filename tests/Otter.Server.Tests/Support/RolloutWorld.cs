using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Otter.Protocol;
using Otter.Protocol.Rollouts;
using Otter.Server.Alerts;
using Otter.Server.Rollouts;

namespace Otter.Server.Tests.Support;

/// <summary>A server on a manual clock with its background loops off, a fleet of simulated agents, and releases v1 and v2.</summary>
internal sealed class RolloutWorld : IAsyncDisposable
{
    private RolloutWorld(ServerFixture server, ManualTimeProvider clock)
    {
        Server = server;
        Clock = clock;
    }

    public ServerFixture Server { get; }

    public ManualTimeProvider Clock { get; }

    public List<SimulatedAgent> Agents { get; } = [];

    public const string V1 = "fw/gw-x2/1.0.bundle";
    public const string V2 = "fw/gw-x2/2.0.bundle";

    public static async Task<RolloutWorld> StartAsync(int devices, bool onV1 = true, Func<int, string?>? idOf = null, string? database = null)
    {
        // Real time to start with: the certificates the server issues must be valid for the test's TLS clients.
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var server = await ServerFixture.StartAsync(database: database, time: clock, backgroundWork: false);
        var world = new RolloutWorld(server, clock);
        await TestReleases.PublishAsync(server, V1, TestReleases.Bundle(server.WorkDirectory, "1.0", counter: 1));
        await TestReleases.PublishAsync(server, V2, TestReleases.Bundle(server.WorkDirectory, "2.0", counter: 1));
        for (var i = 0; i < devices; i++)
        {
            world.Agents.Add(await SimulatedAgent.EnrollAsync(server, idOf?.Invoke(i) ?? $"gw-{i:D4}", onV1 ? V1 : null));
        }

        return world;
    }

    public async Task<RolloutView> CreateAsync(RolloutRequest request)
    {
        using var response = await Server.Api().PostAsJsonAsync("api/v1/rollouts", request, ProtocolJsonContext.Default.RolloutRequest);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.RolloutView))!;
    }

    public async Task<RolloutView> ActAsync(long id, string action)
    {
        using var response = await Server.Api().PostAsync($"api/v1/rollouts/{id}/{action}", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.RolloutView))!;
    }

    public async Task<RolloutView> StatusAsync(long id) =>
        (await Server.Api().GetFromJsonAsync($"api/v1/rollouts/{id}", ProtocolJsonContext.Default.RolloutView))!;

    public Task<RolloutTickResult> TickAsync() => Server.Services.GetRequiredService<RolloutEngine>().TickAsync(CancellationToken.None);

    public Task<int> DeliverAlertsAsync() => Server.Services.GetRequiredService<AlertDispatcher>().DeliverDueAsync(CancellationToken.None);

    /// <summary>One round: tick, every agent checks in and acts, tick again.</summary>
    public async Task RoundAsync()
    {
        await TickAsync();
        foreach (var agent in Agents)
        {
            await agent.CheckInAsync();
        }

        await TickAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in Agents)
        {
            agent.Dispose();
        }

        await Server.DisposeAsync();
    }
}
