using System.Text.Json;
using Otter.Cli.Tests.TestSupport;
using Otter.Protocol;
using Otter.Protocol.Management;

namespace Otter.Cli.Tests.Commands;

public sealed class DeviceCommandTests(ManagementServer server) : IClassFixture<ManagementServer>
{
    [Fact]
    public async Task List_EnrolledDevices_FiltersByStatusAndTag()
    {
        var pending = await server.EnrollAsync();
        var approved = await server.EnrollAsync();
        await server.RunOkAsync("device", "approve", approved);
        var tag = ManagementServer.Unique("site");
        await server.RunOkAsync("device", "tag", approved, "--add", tag);

        var all = Devices((await server.RunOkAsync("device", "list", "--json")).Output);
        var pendingOnly = Devices((await server.RunOkAsync("device", "list", "--status", "pending", "--json")).Output);
        var tagged = Devices((await server.RunOkAsync("device", "list", "--tag", tag, "--json")).Output);

        Assert.Contains(all, d => d.Id == pending);
        Assert.Contains(all, d => d.Id == approved);
        Assert.Equal(all.Select(d => d.Id).Order(StringComparer.Ordinal), all.Select(d => d.Id));
        Assert.Contains(pendingOnly, d => d.Id == pending);
        Assert.DoesNotContain(pendingOnly, d => d.Id == approved);
        Assert.All(pendingOnly, d => Assert.Equal(DeviceStatuses.Pending, d.Status));
        Assert.Equal([approved], tagged.Select(d => d.Id));
    }

    [Fact]
    public async Task List_MoreThanOnePage_FollowsPagingToTheEnd()
    {
        var tag = ManagementServer.Unique("bulk");
        var ids = await InventoryRows.AddDevicesAsync(server.Server, 1234, tag);

        var json = await server.RunOkAsync("device", "list", "--tag", tag, "--json");
        var human = await server.RunOkAsync("device", "list", "--tag", tag);

        Assert.Equal(ids, Devices(json.Output).Select(d => d.Id));
        Assert.EndsWith("\n1234 devices\n", human.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_Human_PrintsTableWithDevice()
    {
        var id = await server.EnrollAsync("gw-x9");

        var result = await server.RunOkAsync("device", "list", "--status", "pending");

        Assert.StartsWith("ID ", result.Output, StringComparison.Ordinal);
        Assert.Matches($"(?m)^{id} +gw-x9 +pending +- +0 +- +unknown +- +-$", result.Output);
    }

    [Fact]
    public async Task List_UnknownStatus_Exit2NamingTheChoices()
    {
        var result = await server.RunAsync("device", "list", "--status", "lost");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: --status lost is not one of pending, approved, quarantined, wiped, decommissioned.\n", result.Error);
    }

    [Fact]
    public async Task Show_Json_PrintsServerDeviceView()
    {
        var id = await server.EnrollAsync("gw-x2");

        var result = await server.RunOkAsync("device", "show", id, "--json");

        var device = JsonSerializer.Deserialize(result.Output, ProtocolJsonContext.Default.DeviceView)!;
        Assert.Equal((id, "gw-x2", DeviceStatuses.Pending, "unknown", 0L), (device.Id, device.Hardware, device.Status, device.Attestation, device.SecurityCounter));
        Assert.Null(device.LastSeen);
        using var document = JsonDocument.Parse(result.Output);
        Assert.True(document.RootElement.TryGetProperty("enrolled_at", out _));
        Assert.True(document.RootElement.TryGetProperty("security_counter", out _));
    }

    [Fact]
    public async Task Show_Human_PrintsReadableBlock()
    {
        var id = await server.EnrollAsync("gw-x2");

        var result = await server.RunOkAsync("device", "show", id);

        Assert.StartsWith($"device:           {id}\nhardware:         gw-x2\nstatus:           pending\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("last seen:        never\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("slots:            none reported yet\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("attestation:      unknown", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_UnknownDevice_Exit1WithServerMessage()
    {
        var result = await server.RunAsync("device", "show", "no-such-device");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("otter: the server refused (404 Not Found): no device no-such-device; `otter device list` shows enrolled devices.\n", result.Error);
    }

    [Fact]
    public async Task Approve_PendingDevice_ApprovedAndSecondApprovalExit1Conflict()
    {
        var id = await server.EnrollAsync();

        var first = await server.RunAsync("device", "approve", id);
        var second = await server.RunAsync("device", "approve", id);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal($"approved {id}: status approved\n", first.Output);
        Assert.Equal(1, second.ExitCode);
        Assert.Equal($"otter: the server refused (409 Conflict): device {id} is approved, not pending; only pending devices are approved.\n", second.Error);
    }

    [Fact]
    public async Task Tag_AddRemoveSetAndUnset_DeviceShowsResult()
    {
        var id = await server.EnrollAsync();
        await server.RunOkAsync("device", "tag", id, "--add", "lab", "--add", "eu", "--attr", "site=berlin", "--attr", "rack=4");

        var result = await server.RunOkAsync("device", "tag", id, "--remove", "lab", "--unset-attr", "rack", "--attr", "owner=ops team");

        Assert.Equal($"{id}: tags eu; attributes owner=ops team, site=berlin\n", result.Output);
        var device = JsonSerializer.Deserialize((await server.RunOkAsync("device", "show", id, "--json")).Output, ProtocolJsonContext.Default.DeviceView)!;
        Assert.Equal(["eu"], device.Tags);
        Assert.Equal(new Dictionary<string, string> { ["owner"] = "ops team", ["site"] = "berlin" }, device.Attributes);
    }

    [Theory]
    [InlineData("--attr", "site", "--attr \"site\" is not KEY=VALUE; write e.g. --attr site=berlin.")]
    [InlineData("--attr", "=x", "--attr \"=x\" is not KEY=VALUE; write e.g. --attr site=berlin.")]
    public async Task Tag_BadAttribute_Exit2(string flag, string value, string message)
    {
        var result = await server.RunAsync("device", "tag", "any-device", flag, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: {message}\n", result.Error);
    }

    [Fact]
    public async Task Tag_NothingToChange_Exit2()
    {
        var result = await server.RunAsync("device", "tag", "any-device");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: nothing to change; give --add TAG, --remove TAG, --attr KEY=VALUE or --unset-attr KEY.\n", result.Error);
    }

    [Fact]
    public async Task Tag_TagWithSpace_Exit2WithServerMessage()
    {
        var id = await server.EnrollAsync();

        var result = await server.RunAsync("device", "tag", id, "--add", "two words");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: the server refused (400 Bad Request): \"two words\" is not a usable tag or attribute name (1 to 64 characters, no spaces).\n", result.Error);
    }

    [Fact]
    public async Task Assign_PublishedRelease_DeviceShowsPendingAssignment()
    {
        var hardware = ManagementServer.Unique("hw");
        var release = await server.PublishAsync(hardware);
        var id = await server.EnrollAsync(hardware);

        var result = await server.RunAsync("device", "assign", id, "--release", release);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"assigned {release} to {id} (pending); it installs at its next check-in\n", result.Output);
        var shown = await server.RunOkAsync("device", "show", id);
        Assert.Contains($"assigned:         {release} (pending)\n", shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assign_ReleaseForOtherHardware_Exit2WithServerMessage()
    {
        var release = await server.PublishAsync("gw-other");
        var id = await server.EnrollAsync("gw-x2");

        var result = await server.RunAsync("device", "assign", id, "--release", release);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: the server refused (400 Bad Request): release {release} is built for gw-other; device {id} is gw-x2.\n", result.Error);
    }

    [Fact]
    public async Task Assign_UnknownRelease_Exit2WithServerMessage()
    {
        var id = await server.EnrollAsync();

        var result = await server.RunAsync("device", "assign", id, "--release", "no-such-release");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: the server refused (400 Bad Request): no release named no-such-release; publish it first with `otter release publish`.\n", result.Error);
    }

    [Fact]
    public async Task Decommission_Device_StatusDecommissionedAndAssignRefused()
    {
        var hardware = ManagementServer.Unique("hw");
        var release = await server.PublishAsync(hardware);
        var id = await server.EnrollAsync(hardware);

        var result = await server.RunAsync("device", "decommission", id, "--json");
        var assign = await server.RunAsync("device", "assign", id, "--release", release);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(DeviceStatuses.Decommissioned, JsonSerializer.Deserialize(result.Output, ProtocolJsonContext.Default.DeviceView)!.Status);
        Assert.Equal(1, assign.ExitCode);
        Assert.Equal($"otter: the server refused (409 Conflict): device {id} is decommissioned.\n", assign.Error);
    }

    [Fact]
    public async Task Events_EnrolledDevice_ShowsEnrollment()
    {
        var id = await server.EnrollAsync("gw-x2");

        var human = await server.RunOkAsync("device", "events", id);
        var json = await server.RunOkAsync("device", "events", id, "--json");

        Assert.Matches(@"(?m)^\d{4}-\d\d-\d\d \d\d:\d\dZ +enrolled +new, pending, hardware gw-x2$", human.Output);
        var events = JsonSerializer.Deserialize(json.Output, ProtocolJsonContext.Default.ListDeviceEventView)!;
        Assert.Equal(("enrolled", id), (Assert.Single(events).Kind, events[0].DeviceId));
    }

    private static List<DeviceView> Devices(string json) => JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.ListDeviceView)!;
}
