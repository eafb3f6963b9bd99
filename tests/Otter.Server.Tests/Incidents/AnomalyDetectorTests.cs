using System.Net;
using System.Net.Http.Json;
using Otter.Protocol;
using Otter.Protocol.Incidents;
using Otter.Server.Data;
using Otter.Server.Incidents;
using Otter.Server.Setup;
using Otter.Server.Tests.Support;

namespace Otter.Server.Tests.Incidents;

/// <summary>Behavioural baselines and geographic checks: quiet on a steady fleet, loud on the one device that misbehaves.</summary>
public sealed class AnomalyDetectorTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Baselines_TwoHundredSteadyDevicesOverASimulatedDay_NoFinding()
    {
        var detectors = new AnomalyDetectors(new IncidentSettings(), checkInIntervalSeconds: 60);
        var random = new Random(7);
        var fleet = Enumerable.Range(0, 200).Select(i => (Row: Row($"steady-{i:000}"), Next: Start.AddSeconds(random.Next(60)))).ToArray();
        var end = Start.AddDays(1);
        var requests = 0;
        for (var i = 0; i < fleet.Length; i++)
        {
            var (row, next) = fleet[i];
            while (next < end)
            {
                // A check-in of 500-700 bytes every interval ±10%, and now and then a report (an update) beside it.
                detectors.Request(row, IPAddress.Loopback, 500 + random.Next(200), next);
                if (random.Next(200) == 0)
                {
                    detectors.Request(row, IPAddress.Loopback, 300, next.AddSeconds(1));
                }

                requests++;
                next = next.AddSeconds(60 * (0.9 + (0.2 * random.NextDouble())));
            }
        }

        Assert.True(requests > 200 * 1300, $"only {requests} check-ins were simulated");
        Assert.False(detectors.Findings.TryRead(out var finding), finding?.Title);
        Assert.True(detectors.Baseline("steady-000")!.Value.Requests.Samples > 1000);
    }

    [Fact]
    public void Baselines_SteadyDeviceThenFlood_OneFindingPerMetricAndInterval()
    {
        var detectors = new AnomalyDetectors(new IncidentSettings(), checkInIntervalSeconds: 60);
        var row = Row("flooder");
        var now = Start;
        for (var i = 0; i < 60; i++)
        {
            detectors.Request(row, IPAddress.Loopback, 600, now);
            now = now.AddSeconds(60);
        }

        Assert.False(detectors.Findings.TryRead(out _));
        for (var i = 0; i < 50; i++)
        {
            detectors.Request(row, IPAddress.Loopback, 600, now.AddMilliseconds(i * 100));
        }

        Assert.True(detectors.Findings.TryRead(out var first));
        Assert.True(detectors.Findings.TryRead(out var second));
        Assert.False(detectors.Findings.TryRead(out _));
        Assert.All([first!, second!], f => Assert.Equal(IncidentKinds.Baseline, f.Kind));
        Assert.Equal(["request rate", "request volume (bytes)"], new[] { first!.Evidence["metric"], second!.Evidence["metric"] }.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FailedAuthentication_RepeatedAfterWarmUp_OneFinding()
    {
        var settings = new IncidentSettings();
        var detectors = new AnomalyDetectors(settings, checkInIntervalSeconds: 60);
        var row = Row("guessed");
        var now = Start;
        for (var i = 0; i < 60; i++)
        {
            detectors.Request(row, IPAddress.Loopback, 600, now);
            now = now.AddSeconds(60);
        }

        for (var i = 0; i < 3 * settings.FailedAuthThreshold; i++)
        {
            detectors.FailedAuthentication("guessed", now.AddMilliseconds(i * 10));
        }

        Assert.True(detectors.Findings.TryRead(out var finding));
        Assert.Equal("failed authentication", finding!.Evidence["metric"]);
        Assert.False(detectors.Findings.TryRead(out _));
    }

    [Fact]
    public void Geography_NetworkOfAnotherRegion_AnomalyOnce_AndImpossibleTravel()
    {
        var settings = new IncidentSettings { Regions = new(StringComparer.Ordinal) { ["10.1.0.0/16"] = "eu-west", ["10.2.0.0/16"] = "us-east" } };
        var detectors = new AnomalyDetectors(settings, checkInIntervalSeconds: 60);
        var row = Row("roamer");
        row.AttributesJson = "{\"region\":\"eu-west\"}";

        detectors.Request(row, IPAddress.Parse("10.1.0.5"), 600, Start);
        Assert.False(detectors.Findings.TryRead(out _));

        detectors.Request(row, IPAddress.Parse("10.2.0.9"), 600, Start.AddMinutes(5));
        Assert.True(detectors.Findings.TryRead(out var travel));
        Assert.Equal(IncidentKinds.Geographic, travel!.Kind);
        Assert.Contains("impossible travel", travel.Title, StringComparison.Ordinal);

        detectors.Request(row, IPAddress.Parse("10.2.0.9"), 600, Start.AddHours(3));
        Assert.True(detectors.Findings.TryRead(out var region));
        Assert.Equal("us-east", region!.Evidence["network_region"]);
        Assert.Equal("eu-west", region.Evidence["registered_region"]);
        detectors.Request(row, IPAddress.Parse("10.2.0.9"), 600, Start.AddHours(3).AddMinutes(1));
        Assert.False(detectors.Findings.TryRead(out _));
    }

    [Fact]
    public async Task Server_DeviceFromAnotherRegionsNetwork_IncidentAndAlert()
    {
        await using var server = await ServerFixture.StartAsync();
        await server.StopAsync();
        var settingsPath = Path.Combine(server.DataDirectory, "server.json");
        var node = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(settingsPath))!;
        node["incidents"] = new System.Text.Json.Nodes.JsonObject { ["regions"] = new System.Text.Json.Nodes.JsonObject { ["127.0.0.0/8"] = "lab-a" } };
        await File.WriteAllTextAsync(settingsPath, node.ToJsonString());
        await server.StartServerAsync();
        using var client = new IncidentClient(server, await Devices.DeviceApiTests.EnrolledAsync(server));
        using (var tag = await client.Api.PostAsJsonAsync($"api/v1/devices/{client.Device.Id}/tags", new Otter.Protocol.Management.TagRequest { Attributes = new Dictionary<string, string?> { ["region"] = "eu-west" } }, ProtocolJsonContext.Default.TagRequest))
        {
            tag.EnsureSuccessStatusCode();
        }

        await client.CheckInOkAsync();

        var incidentId = await WaitForAsync(async () => (await client.ViewAsync()).OpenIncidents is [var first, ..] ? first : 0);
        var incident = await client.IncidentAsync(incidentId);
        Assert.Equal(IncidentKinds.Geographic, incident.Kind);
        Assert.Contains("lab-a", incident.Timeline[0].Detail, StringComparison.Ordinal);
        Assert.False((await client.ViewAsync()).Quarantined);

        // The alert is raised just after the incident is opened (off the request path): wait for it too.
        var alert = await WaitForAsync(async () =>
        {
            var alerts = (await client.Api.GetFromJsonAsync("api/v1/alerts", ProtocolJsonContext.Default.ListAlertView))!;
            return alerts.FirstOrDefault(a => a.Alert.Kind == "incident.geographic" && a.Alert.Details["incident"] == incidentId.ToString(System.Globalization.CultureInfo.InvariantCulture))?.Alert.Id ?? 0;
        });
        Assert.NotEqual(0, alert);
    }

    private static async Task<long> WaitForAsync(Func<Task<long>> probe)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await probe() is var value and not 0)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("nothing after 10 s (no incident opened, or no alert raised).");
    }

    private static DeviceRow Row(string id) => new() { Id = id, Hardware = "gw-x2", Status = "approved", PublicKeyPem = string.Empty, FactoryIssuer = "CN=f", FactorySerial = "01" };
}
