using System.Net;
using System.Net.Http.Json;
using Otter.Protocol;
using Otter.Protocol.Device;

namespace Otter.Server.Tests.Support;

/// <summary>
/// A device that speaks the device API like otter-agent but installs nothing: on an assigned
/// update it reports the phases and then commits or rolls back, as told.
/// </summary>
internal sealed class SimulatedAgent : IDisposable
{
    private readonly ServerFixture _server;
    private HttpClient _client;

    private SimulatedAgent(ServerFixture server, TestDevice device)
    {
        _server = server;
        Device = device;
        _client = device.Client(server);
    }

    public TestDevice Device { get; }

    public string Id => Device.Id;

    /// <summary>What happens to the next update: true commits, false fails its health check and rolls back.</summary>
    public bool Healthy { get; set; } = true;

    /// <summary>The target running in slot a, as the device reports it.</summary>
    public string? Running { get; set; }

    /// <summary>Every target the server told this device to install, in order.</summary>
    public List<string> Offers { get; } = [];

    /// <summary>Every target the server told this device to stage (download-only), in order.</summary>
    public List<string> Stages { get; } = [];

    public static async Task<SimulatedAgent> EnrollAsync(ServerFixture server, string? id = null, string? running = null)
    {
        var device = TestDevice.Create(server, id);
        using (var response = await device.EnrollAsync(server))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var agent = new SimulatedAgent(server, device) { Running = running };
        await agent.CheckInAsync(act: false);
        return agent;
    }

    /// <summary>Checks in; with <paramref name="act"/>, carries out an assigned update to the end (reports, then a final check-in).</summary>
    public async Task<CheckInResponse> CheckInAsync(bool act = true)
    {
        var response = await PostCheckInAsync();
        if (act && response.Action == DeviceActions.Stage)
        {
            Stages.Add(response.Update!.Target);
            await ReportAsync(ReportPhases.Downloading, response.Update.Target);
            await ReportAsync(ReportPhases.Installed, response.Update.Target, "staged, not activated");
            return await PostCheckInAsync();
        }

        if (!act || response.Action != DeviceActions.Update)
        {
            return response;
        }

        var target = response.Update!.Target;
        Offers.Add(target);
        await ReportAsync(ReportPhases.Downloading, target);
        await ReportAsync(ReportPhases.Installed, target);
        if (Healthy)
        {
            Running = target;
            await ReportAsync(ReportPhases.Committed, target);
        }
        else
        {
            await ReportAsync(ReportPhases.RolledBack, target, "health probe failed");
        }

        return await PostCheckInAsync();
    }

    public async Task ReportAsync(string phase, string target, string? detail = null)
    {
        using var response = await _client.PostAsJsonAsync("device/v1/reports", new DeviceReport { Phase = phase, Target = target, Detail = detail }, ProtocolJsonContext.Default.DeviceReport);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>A new connection (after a server restart the old one is gone).</summary>
    public void Reconnect()
    {
        _client.Dispose();
        _client = Device.Client(_server);
    }

    public void Dispose()
    {
        _client.Dispose();
        Device.Dispose();
    }

    private async Task<CheckInResponse> PostCheckInAsync()
    {
        var request = new CheckInRequest
        {
            ActiveSlot = Running is null ? null : "a",
            BootedSlot = Running is null ? null : "a",
            Health = "healthy",
            Slots = Running is null
                ? new Dictionary<string, SlotReport> { ["a"] = new() { State = "empty" }, ["b"] = new() { State = "empty" } }
                : new Dictionary<string, SlotReport> { ["a"] = new() { State = "good", Target = Running, Version = Running }, ["b"] = new() { State = "empty" } },
        };
        using var response = await _client.PostAsJsonAsync("device/v1/checkin", request, ProtocolJsonContext.Default.CheckInRequest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CheckInResponse))!;
    }
}
