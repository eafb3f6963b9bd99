using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otter.Protocol;
using Otter.Protocol.Alerts;
using Otter.Protocol.Device;
using Otter.Protocol.Rollouts;
using Otter.Server.Data;
using Otter.Server.Rollouts;
using Otter.Server.Tests.Support;
using Otter.Testing;

namespace Otter.Server.Tests.Rollouts;

/// <summary>The rollout engine with fake time and agents that succeed or fail on command.</summary>
public sealed class RolloutEngineTests
{
    [Fact]
    public Task Rollout_HealthyRelease_PromotesWaveByWaveAfterSoakAndCompletes() => HealthyReleaseAsync(database: null);

    [RequiresPostgresFact]
    public async Task Rollout_HealthyReleasePostgres_PromotesWaveByWaveAfterSoakAndCompletes() =>
        await HealthyReleaseAsync(await PostgresRequirement.CreateDatabaseAsync());

    private static async Task HealthyReleaseAsync(string? database)
    {
        await using var world = await RolloutWorld.StartAsync(20, database: database);
        var rollout = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Waves = ["10", "50", "100"], Soak = "10m" });
        Assert.Equal([2, 8, 10], rollout.Waves.Select(w => w.Total));
        await world.ActAsync(rollout.Id, "start");

        await world.RoundAsync();
        var status = await world.StatusAsync(rollout.Id);
        Assert.Equal(1, status.CurrentWave);
        Assert.Equal(2, status.Waves[0].Committed);
        Assert.Equal("soaking", status.Waves[0].Status);
        Assert.All(status.Waves.Skip(1), w => Assert.Equal(w.Total, w.Pending));

        // Not before the soak is over.
        world.Clock.Advance(TimeSpan.FromMinutes(9));
        await world.RoundAsync();
        Assert.Equal(1, (await world.StatusAsync(rollout.Id)).CurrentWave);

        world.Clock.Advance(TimeSpan.FromMinutes(1));
        await world.RoundAsync();
        status = await world.StatusAsync(rollout.Id);
        Assert.Equal(2, status.CurrentWave);
        Assert.Equal(8, status.Waves[1].Committed);

        world.Clock.Advance(TimeSpan.FromMinutes(10));
        await world.RoundAsync();
        world.Clock.Advance(TimeSpan.FromMinutes(10));
        await world.RoundAsync();

        status = await world.StatusAsync(rollout.Id);
        Assert.Equal("completed", status.Status);
        Assert.All(status.Waves, w => Assert.Equal(w.Total, w.Committed));
        Assert.All(world.Agents, a => Assert.Equal([RolloutWorld.V2], a.Offers));
    }

    [Fact]
    public async Task Rollout_CanaryFailsHealthChecks_HaltsBeforeWaveTwoAlertsAndRollsBack()
    {
        await using var world = await RolloutWorld.StartAsync(20);
        await using var receiver = await WebhookReceiver.StartAsync();
        const string secret = "0123456789abcdef0123456789abcdef";
        (await world.Server.Api().PostAsJsonAsync("api/v1/alerts/webhooks", new WebhookRequest { Url = receiver.Url.AbsoluteUri, Secret = secret }, ProtocolJsonContext.Default.WebhookRequest)).EnsureSuccessStatusCode();
        var rollout = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Waves = ["20", "100"], ErrorPercent = 5, RollbackOnHalt = true, Soak = "0s" });
        var canaries = await CanariesAsync(world, rollout.Id);
        Assert.Equal(4, canaries.Count);

        // Half the canaries commit, half fail their health check and roll back.
        foreach (var agent in canaries.Take(2))
        {
            agent.Healthy = false;
        }

        await world.ActAsync(rollout.Id, "start");
        await world.RoundAsync();

        var status = await world.StatusAsync(rollout.Id);
        Assert.Equal("halted", status.Status);
        Assert.Contains("wave 1", status.HaltReason, StringComparison.Ordinal);
        Assert.Equal(status.Waves[1].Total, status.Waves[1].Pending);
        Assert.All(world.Agents.Except(canaries), a => Assert.Empty(a.Offers));

        // The healthy canaries are sent back to v1.
        Assert.Equal(2, status.Waves[0].Reverted);
        foreach (var agent in canaries.Skip(2))
        {
            var answer = await agent.CheckInAsync(act: false);
            Assert.Equal(RolloutWorld.V1, answer.Update?.Target);
        }

        // The alert reaches the webhook with a signature that verifies.
        await world.DeliverAlertsAsync();
        var halted = Assert.Single(receiver.Received, r => r.Event == "rollout.halted");
        Assert.True(AlertSignature.Verify(halted.Signature, halted.Body, Encoding.UTF8.GetBytes(secret), world.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(AlertSignature.Verify(halted.Signature, [.. halted.Body, (byte)' '], Encoding.UTF8.GetBytes(secret), world.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        var payload = JsonSerializer.Deserialize(halted.Body, ProtocolJsonContext.Default.AlertPayload)!;
        Assert.Equal("critical", payload.Severity);
        Assert.Equal(rollout.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), payload.Details["rollout"]);

        // More rounds start nobody in wave 2.
        await world.RoundAsync();
        Assert.Equal(status.Waves[1].Total, (await world.StatusAsync(rollout.Id)).Waves[1].Pending);
    }

    [Fact]
    public async Task Alert_WebhookFailing_RetriedWithBackoffThenDelivered()
    {
        await using var world = await RolloutWorld.StartAsync(2);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 500;
        (await world.Server.Api().PostAsJsonAsync("api/v1/alerts/webhooks", new WebhookRequest { Url = receiver.Url.AbsoluteUri, Secret = new string('s', 32) }, ProtocolJsonContext.Default.WebhookRequest)).EnsureSuccessStatusCode();
        var rollout = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Soak = "0s" });
        await world.ActAsync(rollout.Id, "start");
        await world.RoundAsync();
        await world.RoundAsync();

        Assert.Equal(1, await world.DeliverAlertsAsync());
        Assert.Equal(0, await world.DeliverAlertsAsync());
        world.Clock.Advance(TimeSpan.FromSeconds(10));
        receiver.Status = 200;
        Assert.Equal(1, await world.DeliverAlertsAsync());

        var alerts = (await world.Server.Api().GetFromJsonAsync("api/v1/alerts", ProtocolJsonContext.Default.ListAlertView))!;
        var delivery = Assert.Single(Assert.Single(alerts, a => a.Alert.Kind == "rollout.completed").Deliveries);
        Assert.Equal("delivered", delivery.Status);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task Rollout_DeviceOutsideItsWindow_WaitsUntilItOpens_ForcedDoesNot()
    {
        await using var world = await RolloutWorld.StartAsync(2);
        using var api = world.Server.Api();
        foreach (var agent in world.Agents)
        {
            (await api.PostAsJsonAsync($"api/v1/devices/{agent.Id}/tags", new Otter.Protocol.Management.TagRequest { Add = ["eu"] }, ProtocolJsonContext.Default.TagRequest)).EnsureSuccessStatusCode();
        }

        // A one-hour window in Berlin time opening 9 to 10 hours from now.
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var now = world.Clock.GetUtcNow();
        var opensUtc = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(10);
        var opensLocal = TimeZoneInfo.ConvertTime(opensUtc, berlin);
        var day = opensLocal.DayOfWeek.ToString()[..3].ToLowerInvariant();
        var window = $"eu:{day} {opensLocal:HH}:00-{opensLocal.AddHours(1):HH}:00@Europe/Berlin";
        var soft = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Devices = [world.Agents[0].Id], Windows = [window] });
        var forced = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Devices = [world.Agents[1].Id], Windows = [window], Force = true });
        await world.ActAsync(soft.Id, "start");
        await world.ActAsync(forced.Id, "start");

        await world.RoundAsync();
        Assert.Empty(world.Agents[0].Offers);
        Assert.Equal([RolloutWorld.V2], world.Agents[1].Offers);

        world.Clock.SetUtcNow(opensUtc.AddMinutes(-1));
        await world.RoundAsync();
        Assert.Empty(world.Agents[0].Offers);

        world.Clock.SetUtcNow(opensUtc.AddMinutes(1));
        await world.RoundAsync();
        Assert.Equal([RolloutWorld.V2], world.Agents[0].Offers);
    }

    [Fact]
    public async Task Rollout_DownloadOnly_StagesWithoutActivatingIgnoresWindows_ThenAnInstallRolloutActivates()
    {
        await using var world = await RolloutWorld.StartAsync(6);
        using var api = world.Server.Api();
        foreach (var agent in world.Agents)
        {
            (await api.PostAsJsonAsync($"api/v1/devices/{agent.Id}/tags", new Otter.Protocol.Management.TagRequest { Add = ["eu"] }, ProtocolJsonContext.Default.TagRequest)).EnsureSuccessStatusCode();
        }

        // A one-hour window that opens 12 hours from now: closed for the whole test.
        var now = world.Clock.GetUtcNow();
        var window = $"eu:{now.AddHours(12).DayOfWeek.ToString()[..3].ToLowerInvariant()} {now.AddHours(12):HH}:00-{now.AddHours(13):HH}:00";
        var staging = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Waves = ["50", "100"], Soak = "0s", Windows = [window], DownloadOnly = true });
        Assert.True(staging.DownloadOnly);
        await world.ActAsync(staging.Id, "start");

        for (var round = 0; round < 3 && (await world.StatusAsync(staging.Id)).Status != "completed"; round++)
        {
            await world.RoundAsync();
        }

        var status = await world.StatusAsync(staging.Id);
        Assert.Equal("completed", status.Status);
        Assert.All(status.Waves, w => Assert.Equal((w.Total, 0), (w.Installed, w.Committed)));
        Assert.All(world.Agents, a =>
        {
            Assert.Equal([RolloutWorld.V2], a.Stages);
            Assert.Empty(a.Offers);
            Assert.Equal(RolloutWorld.V1, a.Running);
        });

        // Staged devices get nothing more, and are free: an install rollout (forced, so the closed
        // window does not hold it) takes them without contention.
        await world.RoundAsync();
        Assert.All(world.Agents, a => Assert.Single(a.Stages));
        var install = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Soak = "0s", Force = true });
        await world.ActAsync(install.Id, "start");
        await world.RoundAsync();
        await world.RoundAsync();

        status = await world.StatusAsync(install.Id);
        Assert.Equal("completed", status.Status);
        Assert.Equal(6, status.Waves.Sum(w => w.Committed));
        Assert.All(world.Agents, a =>
        {
            Assert.Equal([RolloutWorld.V2], a.Offers);
            Assert.Equal(RolloutWorld.V2, a.Running);
        });
    }

    [Fact]
    public async Task Rollout_DownloadOnlyDeviceNeverStages_TimesOut()
    {
        await using var world = await RolloutWorld.StartAsync(2);
        var rollout = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Soak = "0s", DownloadOnly = true, InstallTimeout = "10m", ErrorPercent = 100 });
        await world.ActAsync(rollout.Id, "start");
        await world.TickAsync();

        // One device stages; the other takes the assignment and is never heard of again.
        await world.Agents[0].CheckInAsync();
        await world.Agents[1].CheckInAsync(act: false);
        world.Clock.Advance(TimeSpan.FromMinutes(11));
        await world.TickAsync();

        var status = await world.StatusAsync(rollout.Id);
        Assert.Equal((1, 1), (status.Waves[0].Installed, status.Waves[0].TimedOut));
    }

    [Fact]
    public async Task Rollout_RateLimit_NeverExceededInAnyMinute()
    {
        await using var world = await RolloutWorld.StartAsync(30);
        var rollout = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Rate = "4/m", Soak = "0s" });
        await world.ActAsync(rollout.Id, "start");
        var offers = new List<DateTimeOffset>();
        for (var step = 0; step < 60 && (await world.StatusAsync(rollout.Id)).Status != "completed"; step++)
        {
            await world.TickAsync();
            foreach (var agent in world.Agents)
            {
                var before = agent.Offers.Count;
                await agent.CheckInAsync();
                offers.AddRange(Enumerable.Repeat(world.Clock.GetUtcNow(), agent.Offers.Count - before));
            }

            world.Clock.Advance(TimeSpan.FromSeconds(13));
        }

        Assert.Equal("completed", (await world.StatusAsync(rollout.Id)).Status);
        Assert.Equal(30, offers.Count);
        foreach (var start in offers)
        {
            Assert.True(offers.Count(o => o >= start && o < start.AddMinutes(1)) <= 4, $"more than 4 devices started in the minute from {start:u}");
        }
    }

    [Fact]
    public async Task Rollout_ServerRestartMidWave_ResumesWithNoDeviceTwiceAndNoneSkipped()
    {
        await using var world = await RolloutWorld.StartAsync(20);
        var rollout = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Waves = ["50", "100"], Rate = "5/m", Soak = "1m" });
        await world.ActAsync(rollout.Id, "start");
        await world.RoundAsync();
        Assert.Equal(5, world.Agents.Sum(a => a.Offers.Count));

        await world.Server.StopAsync();
        await world.Server.StartServerAsync();
        foreach (var agent in world.Agents)
        {
            agent.Reconnect();
        }

        for (var i = 0; i < 30 && (await world.StatusAsync(rollout.Id)).Status != "completed"; i++)
        {
            world.Clock.Advance(TimeSpan.FromSeconds(30));
            await world.RoundAsync();
        }

        var status = await world.StatusAsync(rollout.Id);
        Assert.Equal("completed", status.Status);
        Assert.All(world.Agents, a => Assert.Equal([RolloutWorld.V2], a.Offers));
        Assert.Equal(20, status.Waves.Sum(w => w.Committed));
    }

    [Fact]
    public async Task Rollouts_Overlapping_HigherPriorityTakesUnstartedDevices()
    {
        await using var world = await RolloutWorld.StartAsync(4, onV1: false);
        var low = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Priority = 1 });
        var high = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V1, Priority = 5, Devices = [world.Agents[0].Id, world.Agents[1].Id] });
        await world.ActAsync(low.Id, "start");
        await world.TickAsync();

        // Every device is assigned to the low-priority rollout, none started; the high one takes two.
        await world.ActAsync(high.Id, "start");
        await world.TickAsync();
        var first = await world.Agents[0].CheckInAsync(act: false);
        var third = await world.Agents[2].CheckInAsync(act: false);

        Assert.Equal(RolloutWorld.V1, first.Update?.Target);
        Assert.Equal(RolloutWorld.V2, third.Update?.Target);

        // Once the high-priority rollout is done with them, the low one gets them back.
        for (var i = 0; i < 10; i++)
        {
            world.Clock.Advance(TimeSpan.FromMinutes(11));
            await world.RoundAsync();
        }

        Assert.Equal("completed", (await world.StatusAsync(high.Id)).Status);
        Assert.Equal("completed", (await world.StatusAsync(low.Id)).Status);
        Assert.Equal([RolloutWorld.V1, RolloutWorld.V2], world.Agents[0].Offers);
        Assert.Equal([RolloutWorld.V2], world.Agents[2].Offers);
    }

    [Fact]
    public async Task Report_ReadDirtySavedAfterATickFoldedIt_StillCounted()
    {
        await using var world = await RolloutWorld.StartAsync(1);
        var agent = world.Agents[0];
        var rollout = await world.CreateAsync(new RolloutRequest { Release = RolloutWorld.V2, Soak = "0s" });
        await world.ActAsync(rollout.Id, "start");
        await world.TickAsync();
        Assert.Equal(RolloutWorld.V2, (await agent.CheckInAsync(act: false)).Update?.Target);
        await agent.ReportAsync(ReportPhases.Downloading, RolloutWorld.V2);

        // A report's request reads the row while it is still dirty from the last report; a tick
        // folds that one and clears the flag before the request saves.
        await using var scope = world.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OtterDbContext>();
        var device = await db.Devices.FirstAsync(d => d.Id == agent.Id);
        await RolloutProgress.RecordAsync(db, device, RolloutDeviceStates.Installed, null, world.Clock.GetUtcNow(), CancellationToken.None);
        Assert.Equal(1, (await world.TickAsync()).Folded);
        await db.SaveChangesAsync();

        Assert.Equal(1, (await world.TickAsync()).Folded);
        var wave = (await world.StatusAsync(rollout.Id)).Waves[0];
        Assert.Equal(1, wave.Installed);
        Assert.Equal(0, wave.Downloading);
    }

    [Theory]
    [InlineData("{\"release\": \"fw/gw-x2/2.0.bundle\", \"filter\": \"hardware = 1\"}", "filter")]
    [InlineData("{\"release\": \"fw/gw-x2/2.0.bundle\", \"waves\": [\"10\", \"50\"]}", "do not add up")]
    [InlineData("{\"release\": \"fw/gw-x2/2.0.bundle\", \"waves\": [\"50\", \"10\", \"100\"]}", "must rise")]
    [InlineData("{\"release\": \"fw/gw-x2/2.0.bundle\", \"success_percent\": 101}", "outside 0-100")]
    [InlineData("{\"release\": \"fw/gw-x2/2.0.bundle\", \"error_percent\": -1}", "outside 0-100")]
    [InlineData("{\"release\": \"fw/nope.bundle\"}", "no release named fw/nope.bundle")]
    [InlineData("{\"release\": \"fw/gw-x2/2.0.bundle\", \"soak\": \"ten minutes\"}", "duration")]
    [InlineData("{\"release\": \"fw/gw-x2/2.0.bundle\", \"rate\": \"fast\"}", "rate")]
    [InlineData("{\"release\": \"fw/gw-x2/2.0.bundle\", \"windows\": [\"eu:someday 01:00-02:00\"]}", "maintenance window")]
    [InlineData("{\"release\": \"fw/gw-x2/2.0.bundle\", \"devices\": [\"ghost\"]}", "ghost")]
    [InlineData("{\"release\": \"fw/gw-x2/2.0.bundle\", \"filter\": \"tags has \\\"nowhere\\\"\"}", "selects no")]
    public async Task Create_InvalidRequest_ClearBadRequest(string json, string fragment)
    {
        await using var world = await RolloutWorld.StartAsync(1);

        using var response = await world.Server.Api().PostAsync("api/v1/rollouts", new StringContent(json, Encoding.UTF8, "application/json"));

        await Http.AssertRefusedAsync(world.Server, response, HttpStatusCode.BadRequest, fragment);
    }

    private static async Task<List<SimulatedAgent>> CanariesAsync(RolloutWorld world, long id)
    {
        // The canaries are the devices the first wave will start: find them by ticking a copy? No: ask which ones get offers after start.
        var status = await world.StatusAsync(id);
        var planner = Otter.Server.Rollouts.RolloutPlanner.Plan(
            id,
            Otter.Server.Rollouts.WaveSpec.ParseAll(status.Waves.Select(w => w.Spec).ToList()),
            world.Agents.Select(a => new Otter.Server.Rollouts.PlanCandidate(a.Id, new HashSet<string>())).ToList(),
            world.Clock.GetUtcNow());
        var ids = planner.Where(r => r.Wave == 0).Select(r => r.DeviceId).ToHashSet();
        return world.Agents.Where(a => ids.Contains(a.Id)).ToList();
    }
}
