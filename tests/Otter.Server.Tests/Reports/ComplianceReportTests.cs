using System.Net;
using System.Net.Http.Json;
using Otter.Protocol;
using Otter.Protocol.Rollouts;
using Otter.Server.Tests.Support;

namespace Otter.Server.Tests.Reports;

/// <summary>The compliance report (JSON and CSV) and the Prometheus metrics agree with the fleet.</summary>
public sealed class ComplianceReportTests
{
    [Fact]
    public async Task Compliance_MixedFleet_CountsReleasesCountersAndStaleDevices()
    {
        await using var world = await RolloutWorld.StartAsync(4);
        await TestReleases.PublishAsync(world.Server, "fw/gw-x2/3.0.bundle", TestReleases.Bundle(world.Server.WorkDirectory, "3.0", counter: 5));
        var rollout = await world.CreateAsync(new RolloutRequest { Release = "fw/gw-x2/3.0.bundle", Devices = [world.Agents[0].Id], Soak = "0s" });
        await world.ActAsync(rollout.Id, "start");
        world.Agents[0].Healthy = true;
        await world.RoundAsync();

        // Device 3 goes quiet for ten days while the others keep checking in.
        world.Clock.Advance(TimeSpan.FromDays(10));
        foreach (var agent in world.Agents.Take(3))
        {
            await agent.CheckInAsync(act: false);
        }

        var report = (await world.Server.Api().GetFromJsonAsync("api/v1/reports/compliance?stale_days=7", ProtocolJsonContext.Default.ComplianceReport))!;

        Assert.Equal(4, report.Devices);
        Assert.Equal(5, report.NewestSecurityCounter["gw-x2"]);
        Assert.Equal(1, report.Releases.Single(r => r.Release == "fw/gw-x2/3.0.bundle").Devices);
        Assert.Equal(3, report.Releases.Single(r => r.Release == RolloutWorld.V1).Devices);
        Assert.Equal(1, report.NotSeen);
        Assert.True(report.Rows.Single(r => r.Id == world.Agents[3].Id).NotSeen);
        var patched = report.Rows.Single(r => r.Id == world.Agents[0].Id);
        Assert.NotNull(patched.LastPatched);
        Assert.Equal(10, patched.DaysSinceLastPatch!.Value, 1);
    }

    [Fact]
    public async Task Compliance_Csv_HeaderAndOneRowPerDevice()
    {
        await using var world = await RolloutWorld.StartAsync(3);

        using var response = await world.Server.Api().GetAsync("api/v1/reports/compliance?format=csv");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Otter.Server.Reports.ComplianceCsv.Header, lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Equal(13, line.Split(',').Length));
    }

    [Fact]
    public async Task Compliance_BadStaleDays_BadRequest()
    {
        await using var world = await RolloutWorld.StartAsync(1);

        using var response = await world.Server.Api().GetAsync("api/v1/reports/compliance?stale_days=0");

        await Http.AssertRefusedAsync(world.Server, response, HttpStatusCode.BadRequest, "stale_days");
    }

    [Fact]
    public async Task Metrics_RunningRollout_ExposesDeviceAndWaveGauges()
    {
        await using var world = await RolloutWorld.StartAsync(3);
        var rollout = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Soak = "1h" });
        await world.ActAsync(rollout.Id, "start");
        await world.RoundAsync();

        var text = await world.Server.Api().GetStringAsync("metrics");

        Assert.Contains("otter_devices{status=\"approved\"} 3", text, StringComparison.Ordinal);
        Assert.Contains($"otter_rollout_devices{{rollout=\"{rollout.Id}\",release=\"{RolloutWorld.V2}\",wave=\"1\",state=\"committed\"}} 3", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE otter_devices_below_newest_security_counter gauge", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_WithoutApiKey_Unauthorized()
    {
        await using var world = await RolloutWorld.StartAsync(1);
        using var client = new HttpClient(world.Server.Handler(null)) { BaseAddress = world.Server.ApiUrl };

        using var response = await client.GetAsync("metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
