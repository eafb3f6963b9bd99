using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Otter.Cli.Tests.TestSupport;
using Otter.Protocol;
using Otter.Protocol.Rollouts;
using Otter.Server.Rollouts;

namespace Otter.Cli.Tests.Commands;

public sealed class RolloutCommandTests(ManagementServer server) : IClassFixture<ManagementServer>
{
    [Fact]
    public async Task Create_Human_PrintsIdReleaseDeviceCountAndWaveSizes()
    {
        var release = await ReleaseWithDevicesAsync(3);

        var result = await server.RunAsync("rollout", "create", "--release", release, "--waves", "50,100", "--soak", "30m", "--rate", "100/m");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches($@"^created rollout \d+: {Regex.Escape(release)} to 3 devices in 2 waves \(not started\)\n", result.Output);
        Assert.Matches(@"(?m)^1 +50 +2$", result.Output);
        Assert.Matches(@"(?m)^2 +100 +1$", result.Output);
        Assert.Matches(@"start it with `otter rollout start \d+`", result.Output);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Create_Json_PrintsServerRolloutViewWithId()
    {
        var release = await ReleaseWithDevicesAsync(2);

        var result = await server.RunAsync(
            "rollout", "create", "--release", release, "--waves", "50,100", "--success", "90", "--errors", "10", "--soak", "0s", "--timeout", "2h",
            "--rate", "10/m", "--exponential", "--priority", "5", "--rollback-on-halt", "--manual-promotion", "--window", "eu:sat,sun 02:00-05:00@Europe/Berlin", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using (var document = JsonDocument.Parse(result.Output))
        {
            Assert.True(document.RootElement.GetProperty("id").GetInt64() > 0);
        }

        var rollout = JsonSerializer.Deserialize(result.Output, ProtocolJsonContext.Default.RolloutView)!;
        Assert.Equal((release, "created", 2, 90.0, 10.0, "0s", "2h", 5), (rollout.Release, rollout.Status, rollout.DeviceCount, rollout.SuccessPercent, rollout.ErrorPercent, rollout.Soak, rollout.InstallTimeout, rollout.Priority));
        Assert.Equal("10/m (doubling per wave)", rollout.Rate);
        Assert.True(rollout.RollbackOnHalt);
        Assert.False(rollout.AutoPromote);
        Assert.Equal(["eu:sat,sun 02:00-05:00@Europe/Berlin"], rollout.Windows);
        Assert.Equal([("50", 1), ("100", 1)], rollout.Waves.Select(w => (w.Spec, w.Total)));
    }

    [Fact]
    public async Task Create_ExplicitDevicesWithoutFilter_TakesOnlyThose()
    {
        var hardware = ManagementServer.Unique("hw");
        var release = await server.PublishAsync(hardware);
        var ids = await ApprovedDevicesAsync(hardware, 3);

        var rollout = await CreateAsync("--release", release, "--waves", "100", "--device", ids[0], "--device", ids[2]);

        Assert.Equal(2, rollout.DeviceCount);
    }

    [Fact]
    public async Task Create_InvalidFilter_Exit2WithServerMessage()
    {
        var release = await ReleaseWithDevicesAsync(1);

        var result = await server.RunAsync("rollout", "create", "--release", release, "--waves", "100", "--filter", "colour == \"red\"");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: the server refused (400 Bad Request): filter: unknown field \"colour\" at position 1; fields are hardware, id, status, version, tags, security_counter and attr.NAME.\n", result.Error);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Create_WavesNotAddingUp_Exit2WithServerMessage()
    {
        var release = await ReleaseWithDevicesAsync(1);

        var result = await server.RunAsync("rollout", "create", "--release", release, "--waves", "10,50");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: the server refused (400 Bad Request): the waves do not add up: the last one must be 100 so that every selected device is in a wave (got 10,50).\n", result.Error);
    }

    [Fact]
    public async Task Create_SuccessThreshold150_Exit2WithServerMessage()
    {
        var release = await ReleaseWithDevicesAsync(1);

        var result = await server.RunAsync("rollout", "create", "--release", release, "--waves", "100", "--success", "150");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: the server refused (400 Bad Request): success threshold 150 is outside 0-100.\n", result.Error);
    }

    [Fact]
    public async Task Create_UnknownRelease_Exit2WithServerMessage()
    {
        var result = await server.RunAsync("rollout", "create", "--release", "no-such-release.otb", "--waves", "1,10,100");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: the server refused (400 Bad Request): no release named no-such-release.otb; publish it first with `otter release publish`.\n", result.Error);
    }

    [Fact]
    public async Task Create_BadDuration_Exit2WithServerMessage()
    {
        var release = await ReleaseWithDevicesAsync(1);

        var result = await server.RunAsync("rollout", "create", "--release", release, "--waves", "100", "--soak", "10 minutes");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("otter: the server refused (400 Bad Request): soak \"10 minutes\"", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--waves", "1,,100" }, "--waves \"1,,100\" has an empty entry; write comma-separated percentages or tag:NAME, e.g. 1,10,50,100.")]
    [InlineData(new[] { "--waves", "100", "--exponential" }, "--exponential doubles the --rate with every wave; give a --rate too, e.g. --rate 100/m.")]
    [InlineData(new[] { "--waves", "100", "--start-at", "next tuesday" }, "--start-at \"next tuesday\" is not an ISO 8601 time; write e.g. 2025-06-01T02:00:00Z or 2025-06-01T04:00+02:00.")]
    public async Task Create_BadInputCaughtLocally_Exit2(string[] args, string message)
    {
        // Nothing reaches a server: none is given.
        var result = await new OtterRunner().RunAsync(["rollout", "create", "--release", "any.otb", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: {message}\n", result.Error);
    }

    [Fact]
    public async Task Create_StartAtWithOffset_SentAsUtc()
    {
        var release = await ReleaseWithDevicesAsync(1);

        var rollout = await CreateAsync("--release", release, "--waves", "100", "--start-at", "2099-06-01T04:00+02:00");
        var started = await server.RunAsync("rollout", "start", Id(rollout));

        Assert.True(started.ExitCode == 0, started.ToString());
        var audit = await server.RunOkAsync("audit", "export");
        Assert.Contains("starts at 2099-06-01 02:00:00Z", audit.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actions_StartPauseResumeCancel_TransitionsAndPrintsState()
    {
        var release = await ReleaseWithDevicesAsync(1);
        var rollout = await CreateAsync("--release", release, "--waves", "100");
        var id = Id(rollout);

        var start = await server.RunAsync("rollout", "start", id);
        var pause = await server.RunAsync("rollout", "pause", id);
        var resume = await server.RunAsync("rollout", "resume", id, "--json");
        var cancel = await server.RunAsync("rollout", "cancel", id);

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal($"started rollout {id}: running, wave 1 of 1\n", start.Output);
        Assert.True(pause.ExitCode == 0, pause.ToString());
        Assert.Equal($"paused rollout {id}: paused, wave 1 of 1\n`otter rollout resume {id}` continues it.\n", pause.Output);
        Assert.True(resume.ExitCode == 0, resume.ToString());
        Assert.Equal("running", JsonSerializer.Deserialize(resume.Output, ProtocolJsonContext.Default.RolloutView)!.Status);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal($"cancelled rollout {id}: cancelled, wave 1 of 1\n", cancel.Output);
    }

    [Fact]
    public async Task Start_AlreadyRunning_Exit1WithServerConflict()
    {
        var release = await ReleaseWithDevicesAsync(1);
        var id = Id(await CreateAsync("--release", release, "--waves", "100"));
        await server.RunOkAsync("rollout", "start", id);

        var again = await server.RunAsync("rollout", "start", id);
        var resume = await server.RunAsync("rollout", "resume", id);

        Assert.Equal(1, again.ExitCode);
        Assert.Equal($"otter: the server refused (409 Conflict): rollout {id} is running; it cannot start.\n", again.Error);
        Assert.Equal(1, resume.ExitCode);
        Assert.Equal($"otter: the server refused (409 Conflict): rollout {id} is running; it cannot resume.\n", resume.Error);
    }

    [Fact]
    public async Task Start_UnknownRollout_Exit1WithServerMessage()
    {
        var result = await server.RunAsync("rollout", "start", "999999");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("otter: the server refused (404 Not Found): no rollout 999999; `otter rollout list` shows them.\n", result.Error);
    }

    [Fact]
    public async Task Start_IdNotANumber_Exit2()
    {
        var result = await server.RunAsync("rollout", "start", "latest");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: rollout ID \"latest\" is not a rollout number; `otter rollout list` shows the ids.\n", result.Error);
    }

    [Fact]
    public async Task List_CreatedRollout_TableRowAndJson()
    {
        var release = await ReleaseWithDevicesAsync(3);
        var rollout = await CreateAsync("--release", release, "--waves", "50,100");

        var human = await server.RunOkAsync("rollout", "list");
        var json = await server.RunOkAsync("rollout", "list", "--json");

        Assert.StartsWith("ID ", human.Output, StringComparison.Ordinal);
        Assert.Contains(" RELEASE ", human.Output, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{rollout.Id} +{Regex.Escape(release)} +created +1/2 +3 +0 +0$", human.Output);
        Assert.Contains(JsonSerializer.Deserialize(json.Output, ProtocolJsonContext.Default.ListRolloutView)!, r => r.Id == rollout.Id && r.Release == release);
    }

    [Fact]
    public async Task Status_Human_ShowsSettingsAndEveryWave()
    {
        var release = await ReleaseWithDevicesAsync(3);
        var rollout = await CreateAsync("--release", release, "--waves", "10,50,100", "--soak", "5m");

        var result = await server.RunOkAsync("rollout", "status", Id(rollout));

        Assert.StartsWith($"rollout:          {rollout.Id}, {release}\nstatus:           created, wave 1 of 3\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("soak:             5m\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("\nwave 1 (10): created, 1 device\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("\nwave 2 (50): waiting, 1 device\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("\nwave 3 (100): waiting, 1 device\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  pending 1, assigned 0, downloading 0, installed 0, committed 0\n  failed 0, rolled back 0, timed out 0, skipped 0, reverted 0\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("soak until -", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_Json_PrintsRolloutView()
    {
        var release = await ReleaseWithDevicesAsync(1);
        var rollout = await CreateAsync("--release", release, "--waves", "100");

        var result = await server.RunOkAsync("rollout", "status", Id(rollout), "--json");

        var shown = JsonSerializer.Deserialize(result.Output, ProtocolJsonContext.Default.RolloutView)!;
        Assert.Equal((rollout.Id, "created", 1), (shown.Id, shown.Status, Assert.Single(shown.Waves).Total));
    }

    [Fact]
    public async Task Status_WatchUntilCompleted_Exit0AndEveryWaveDone()
    {
        var hardware = ManagementServer.Unique("hw");
        var release = await server.PublishAsync(hardware);
        var devices = new List<FleetDevice>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                devices.Add(await FleetDevice.ApprovedAsync(server.Server, hardware));
            }

            var id = Id(await CreateAsync("--release", release, "--waves", "50,100", "--soak", "0s"));
            await server.RunOkAsync("rollout", "start", id);

            var watch = server.RunAsync("rollout", "status", id, "--watch", "--interval", "200ms");
            await DriveAsync(devices, watch);
            var result = await watch;

            Assert.True(result.ExitCode == 0, result.ToString());
            var lines = result.Output.Split('\n');
            Assert.Contains(lines, l => l.Contains($" rollout {id} completed, wave 2 of 2: wave 1 (50) 2/2 done | wave 2 (100) 2/2 done", StringComparison.Ordinal));
            Assert.Contains("status:           completed, wave 2 of 2\n", result.Output, StringComparison.Ordinal);
            Assert.Contains("\nwave 1 (50): done, 2 devices\n", result.Output, StringComparison.Ordinal);
            Assert.Contains("\nwave 2 (100): done, 2 devices\n", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("\u001b[", result.Output, StringComparison.Ordinal);
            Assert.All(devices, d => Assert.Equal(release, d.Running));

            // The completion raised an alert, listed with its deliveries.
            var alerts = await server.RunOkAsync("alert", "list");
            Assert.Matches($@"(?m)^\d+ +\S+ \S+ +info +rollout\.completed +rollout {id} +.*rollout {id} of {Regex.Escape(release)} completed: 4 of 4 devices committed$", alerts.Output);
        }
        finally
        {
            devices.ForEach(d => d.Dispose());
        }
    }

    [Fact]
    public async Task Status_WatchOnTerminal_DrawsBarsAndCancelledExits1()
    {
        var release = await ReleaseWithDevicesAsync(2);
        var id = Id(await CreateAsync("--release", release, "--waves", "50,100"));
        await server.RunOkAsync("rollout", "cancel", id);
        var runner = new OtterRunner(TimeProvider.System) { OutputIsTerminal = true };

        var result = await runner.RunAsync(["rollout", "status", id, "--watch", .. server.ConnectionArguments(server.Server.AdminKey)]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"\r\u001b[2Krollout {id}  {release}  cancelled, wave 1 of 2\n", result.Output, StringComparison.Ordinal);
        Assert.Contains($"\r\u001b[2K  wave 1  50   [{new string('░', 30)}]  0/1  cancelled\n", result.Output, StringComparison.Ordinal);
        Assert.Contains($"\r\u001b[2K  wave 2  100  [{new string('░', 30)}]  0/1  waiting\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("status:           cancelled, wave 1 of 2\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_WatchJson_OneRolloutViewPerLine()
    {
        var release = await ReleaseWithDevicesAsync(1);
        var id = Id(await CreateAsync("--release", release, "--waves", "100"));
        await server.RunOkAsync("rollout", "cancel", id);

        var result = await server.RunAsync("rollout", "status", id, "--watch", "--json");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("cancelled", JsonSerializer.Deserialize(line, ProtocolJsonContext.Default.RolloutView)!.Status);
    }

    [Fact]
    public async Task Status_WatchInterrupted_Exit0AndRolloutUntouched()
    {
        var release = await ReleaseWithDevicesAsync(1);
        var id = Id(await CreateAsync("--release", release, "--waves", "100"));
        using var interrupt = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        var result = await server.Runner.RunAsync(["rollout", "status", id, "--watch", "--interval", "100ms", .. server.ConnectionArguments(server.Server.AdminKey)], interrupt.Token);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("stopped watching (created); the rollout carries on on the server.\n", result.Error);
        Assert.Contains("status:           created,", (await server.RunOkAsync("rollout", "status", id)).Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--interval", "2s" }, "--interval sets how often --watch polls; add --watch or leave --interval out.")]
    [InlineData(new[] { "--watch", "--interval", "soon" }, "--interval \"soon\" is not a duration; write e.g. 500ms, 2s or 1m.")]
    [InlineData(new[] { "--watch", "--interval", "10ms" }, "--interval 10ms is outside 100ms to 1h; polling faster only loads the server, slower shows nothing live.")]
    public async Task Status_BadInterval_Exit2(string[] args, string message)
    {
        var result = await server.RunAsync(["rollout", "status", "1", .. args]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: {message}\n", result.Error);
    }

    /// <summary>Until the watch ends: engine tick, every device checks in (and commits what it is given), tick again.</summary>
    private async Task DriveAsync(List<FleetDevice> devices, Task<CliResult> watch)
    {
        var engine = server.Server.Services.GetRequiredService<RolloutEngine>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (!watch.IsCompleted)
        {
            await engine.TickAsync(deadline.Token);
            foreach (var device in devices)
            {
                await device.CheckInAsync();
            }

            await engine.TickAsync(deadline.Token);
            await Task.WhenAny(watch, Task.Delay(TimeSpan.FromMilliseconds(300), deadline.Token));
        }
    }

    private async Task<string> ReleaseWithDevicesAsync(int devices)
    {
        var hardware = ManagementServer.Unique("hw");
        var release = await server.PublishAsync(hardware);
        await ApprovedDevicesAsync(hardware, devices);
        return release;
    }

    private async Task<List<string>> ApprovedDevicesAsync(string hardware, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = await server.EnrollAsync(hardware);
            await server.RunOkAsync("device", "approve", id);
            ids.Add(id);
        }

        return ids;
    }

    private async Task<RolloutView> CreateAsync(params string[] args)
    {
        var result = await server.RunOkAsync(["rollout", "create", .. args, "--json"]);
        return JsonSerializer.Deserialize(result.Output, ProtocolJsonContext.Default.RolloutView)!;
    }

    private static string Id(RolloutView rollout) => rollout.Id.ToString(CultureInfo.InvariantCulture);
}
