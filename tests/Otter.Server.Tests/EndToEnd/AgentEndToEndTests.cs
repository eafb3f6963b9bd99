using System.Net.Http.Json;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Tests.Support;

namespace Otter.Server.Tests.EndToEnd;

/// <summary>
/// A real server on loopback and a real <c>otter-agent run</c> process: enroll, get an assigned
/// update, install it over HTTPS (TUF + log proof), boot, commit, attest — on SQLite and PostgreSQL.
/// </summary>
public sealed class AgentEndToEndTests
{
    [Fact]
    public Task AgentRun_AssignedUpdate_Sqlite_CommittedAndAttested() => AssignedUpdateAsync(database: null, token: false);

    [RequiresPostgresFact]
    public async Task AgentRun_AssignedUpdate_Postgres_CommittedAndAttested() =>
        await AssignedUpdateAsync(await PostgresRequirement.CreateDatabaseAsync(), token: false);

    [Fact]
    public Task AgentRun_SignedTokensInsteadOfMtls_CommittedAndAttested() => AssignedUpdateAsync(database: null, token: true);

    [Fact]
    public async Task AgentRun_ServerCertificateFromAnotherFleet_RefusedBeforeAnyRequest()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var other = await ServerFixture.StartAsync();
        var device = Path.Combine(server.WorkDirectory, "device");
        Provision(server, device, "gw-e2e-other");

        // The device trusts its own fleet's CA; the other server's certificate does not chain to it.
        var run = Agent("run", "--device", device, "--server", other.DeviceUrl.AbsoluteUri, "--once");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("fleet CA", run.StandardError, StringComparison.Ordinal);
        Assert.Empty((await other.Api().GetFromJsonAsync("api/v1/devices", ProtocolJsonContext.Default.ListDeviceView))!);
    }

    private static async Task AssignedUpdateAsync(string? database, bool token)
    {
        await using var server = await ServerFixture.StartAsync(database);
        var device = Path.Combine(server.WorkDirectory, "device");
        Provision(server, device, "gw-e2e-1");
        string[] auth = token ? ["--token"] : [];

        var enroll = Agent(["run", "--device", device, "--server", server.DeviceUrl.AbsoluteUri, "--once", .. auth]);
        Assert.True(enroll.ExitCode == 0, enroll.StandardOutput + enroll.StandardError);

        var release = (await TestReleases.PublishAsync(server, "fw/gw-x2/2.0.0.bundle", TestReleases.Bundle(server.WorkDirectory, "2.0.0", counter: 2, osBytes: 256 * 1024))).Release;
        using var api = server.Api();
        (await api.PostAsJsonAsync("api/v1/devices/gw-e2e-1/assignment", new AssignmentRequest { Release = release.Name }, ProtocolJsonContext.Default.AssignmentRequest)).EnsureSuccessStatusCode();

        var update = Agent(["run", "--device", device, "--server", server.DeviceUrl.AbsoluteUri, "--once", .. auth]);

        Assert.True(update.ExitCode == 0, update.StandardOutput + update.StandardError);
        var view = (await api.GetFromJsonAsync("api/v1/devices/gw-e2e-1", ProtocolJsonContext.Default.DeviceView))!;
        Assert.Equal(DeviceStatuses.Approved, view.Status);
        Assert.Equal("2.0.0", view.Slots[view.ActiveSlot!].Version);
        Assert.Equal(release.Name, view.Slots[view.ActiveSlot!].Target);
        Assert.Equal(2, view.SecurityCounter);
        Assert.Equal("good", view.Attestation);
        Assert.Equal(release.ExpectedMeasurement, view.Measurement);
        Assert.Equal("done", view.AssignmentState);
        Assert.NotNull(view.LastSeen);
        var events = (await api.GetFromJsonAsync("api/v1/devices/gw-e2e-1/events", ProtocolJsonContext.Default.ListDeviceEventView))!;
        var reports = events.Where(e => e.Kind == "report").Select(e => e.Detail!.Split(' ')[0]).Reverse().ToList();
        Assert.Equal(["downloading", "installed", "committed"], reports);
    }

    internal static void Provision(ServerFixture server, string device, string id)
    {
        var bootKey = Path.Combine(server.WorkDirectory, "boot.key");
        if (!File.Exists(bootKey))
        {
            TestKeys.Create(server.WorkDirectory, "boot");
        }

        var result = Agent(
            "provision", "--device", device, "--hardware", "gw-x2", "--boot-key", bootKey,
            "--trust", Path.Combine(server.DataDirectory, "device-trust"),
            "--factory-ca", Path.Combine(server.DataDirectory, "dev-factory"),
            "--id", id);
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
    }

    internal static ProcessResult Agent(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "otter-agent.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project references src/Otter.Agent.Cli");
        return ProcessRunner.TryRun(
            "dotnet",
            [dll, .. args],
            new Dictionary<string, string> { ["OTTER_KEY_PASSPHRASE"] = TestKeys.Passphrase },
            TimeSpan.FromMinutes(2));
    }
}
