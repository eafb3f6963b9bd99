using System.Net;
using System.Net.Http.Json;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Protocol.Management;
using Otter.Server.Tests.Support;

namespace Otter.Server.Tests.Incidents;

/// <summary>The default policy on a boot-chain failure reported at check-in, and what is not one.</summary>
public sealed class BootChainFailureTests
{
    [Fact]
    public async Task CheckIn_CommittedDeviceReportsNoBootableSlot_QuarantinedWithAnIncident()
    {
        await using var server = await ServerFixture.StartAsync();
        var release = (await TestReleases.PublishAsync(server, "fw/gw-x2/1.0.bundle", TestReleases.Bundle(server.WorkDirectory, "1.0"))).Release;
        using var client = new IncidentClient(server, await Devices.DeviceApiTests.EnrolledAsync(server));
        await client.CheckInOkAsync();
        await client.CheckInOkAsync(release);

        // Both slots failed verification at the last boot: nothing runs.
        using var failed = await CheckInAsync(server, client, new CheckInRequest
        {
            Health = "unhealthy",
            Slots = new Dictionary<string, SlotReport> { ["a"] = new() { State = "bad", Target = release.Name, Version = "1.0" }, ["b"] = new() { State = "empty" } },
            LastResult = new ResultReport { Outcome = "no-bootable-slot", Slot = "a", Version = "1.0", Detail = "stage os: hash mismatch; no slot holds a verified image", At = DateTimeOffset.UtcNow },
        });

        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        var view = await client.ViewAsync();
        Assert.Equal(DeviceStatuses.Quarantined, view.Status);
        Assert.Single(view.OpenIncidents);
    }

    [Fact]
    public async Task CheckIn_FactoryFreshDeviceHasNothingToBoot_NotABootChainFailure()
    {
        await using var server = await ServerFixture.StartAsync();
        using var client = new IncidentClient(server, await Devices.DeviceApiTests.EnrolledAsync(server));

        // As otter-agent reports a device provisioned without an image: its boot loader found nothing.
        using var fresh = await CheckInAsync(server, client, new CheckInRequest
        {
            Health = "unhealthy",
            Slots = new Dictionary<string, SlotReport> { ["a"] = new() { State = "empty" }, ["b"] = new() { State = "empty" } },
            LastResult = new ResultReport { Outcome = "no-bootable-slot", Detail = "nothing installed; no slot holds a verified image", At = DateTimeOffset.UtcNow },
        });

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        var view = await client.ViewAsync();
        Assert.Equal(DeviceStatuses.Approved, view.Status);
        Assert.Empty(view.OpenIncidents);
    }

    private static async Task<HttpResponseMessage> CheckInAsync(ServerFixture server, IncidentClient client, CheckInRequest request)
    {
        using var http = client.Device.Client(server);
        return await http.PostAsJsonAsync("device/v1/checkin", request, ProtocolJsonContext.Default.CheckInRequest);
    }
}
