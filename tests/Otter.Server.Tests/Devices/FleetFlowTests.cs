using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Protocol.Management;
using Otter.Server.Tests.Support;
using Otter.Trust.Attestation;
using Otter.Trust.Keys;

namespace Otter.Server.Tests.Devices;

/// <summary>
/// The device's round trip through the API, on SQLite and on PostgreSQL: enroll, assignment,
/// reports, and the attestation verdict for what the device says it booted.
/// </summary>
public sealed class FleetFlowTests
{
    [Fact]
    public Task AssignedUpdate_Sqlite_CommittedWithGoodAttestation() => AssignedUpdateAsync(database: null);

    [RequiresPostgresFact]
    public async Task AssignedUpdate_Postgres_CommittedWithGoodAttestation() =>
        await AssignedUpdateAsync(await PostgresRequirement.CreateDatabaseAsync());

    [Fact]
    public async Task CheckIn_MeasurementNotTheReleases_AttestationMismatch()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await DeviceApiTests.EnrolledAsync(server);
        var release = (await TestReleases.PublishAsync(server, "fw/1.0.bundle", TestReleases.Bundle(server.WorkDirectory, "1.0"))).Release;
        using var client = device.Client(server);
        var nonce = (await CheckInAsync(client, new CheckInRequest()))!.AttestationNonce;

        await CheckInAsync(client, Booted(device, release, nonce, measurement: new string('0', 64)));

        var view = await server.Api().GetFromJsonAsync($"api/v1/devices/{device.Id}", ProtocolJsonContext.Default.DeviceView);
        Assert.Equal("mismatch", view!.Attestation);
    }

    [Fact]
    public async Task CheckIn_QuoteOverOldNonce_StaleNonce()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await DeviceApiTests.EnrolledAsync(server);
        var release = (await TestReleases.PublishAsync(server, "fw/1.0.bundle", TestReleases.Bundle(server.WorkDirectory, "1.0"))).Release;
        using var client = device.Client(server);
        var old = (await CheckInAsync(client, new CheckInRequest()))!.AttestationNonce;
        await CheckInAsync(client, new CheckInRequest());

        await CheckInAsync(client, Booted(device, release, old));

        var view = await server.Api().GetFromJsonAsync($"api/v1/devices/{device.Id}", ProtocolJsonContext.Default.DeviceView);
        Assert.Equal("stale-nonce", view!.Attestation);
    }

    [Fact]
    public async Task Assign_ReleaseForOtherHardware_BadRequest()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await DeviceApiTests.EnrolledAsync(server);
        await TestReleases.PublishAsync(server, "fw/other.bundle", TestReleases.Bundle(server.WorkDirectory, "1.0", hardware: "cam-z9"));

        using var response = await server.Api().PostAsJsonAsync($"api/v1/devices/{device.Id}/assignment", new AssignmentRequest { Release = "fw/other.bundle" }, ProtocolJsonContext.Default.AssignmentRequest);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.BadRequest, "cam-z9");
    }

    private static async Task AssignedUpdateAsync(string? database)
    {
        await using var server = await ServerFixture.StartAsync(database);
        using var device = await DeviceApiTests.EnrolledAsync(server);
        var release = (await TestReleases.PublishAsync(server, "fw/gw-x2/2.0.bundle", TestReleases.Bundle(server.WorkDirectory, "2.0", counter: 2))).Release;
        using var api = server.Api();
        using (var assign = await api.PostAsJsonAsync($"api/v1/devices/{device.Id}/assignment", new AssignmentRequest { Release = release.Name }, ProtocolJsonContext.Default.AssignmentRequest))
        {
            Assert.Equal(HttpStatusCode.OK, assign.StatusCode);
        }

        using var client = device.Client(server);
        var first = (await CheckInAsync(client, new CheckInRequest { Health = "healthy" }))!;
        Assert.Equal(DeviceActions.Update, first.Action);
        Assert.Equal(release.Name, first.Update!.Target);
        Assert.Equal(new Uri(server.ApiUrl, "repo").AbsoluteUri, first.Update.RepositoryUrl);

        foreach (var phase in new[] { ReportPhases.Downloading, ReportPhases.Installed, ReportPhases.Committed })
        {
            using var report = await client.PostAsJsonAsync("device/v1/reports", new DeviceReport { Phase = phase, Target = release.Name, Version = "2.0" }, ProtocolJsonContext.Default.DeviceReport);
            Assert.Equal(HttpStatusCode.NoContent, report.StatusCode);
        }

        var second = (await CheckInAsync(client, Booted(device, release, first.AttestationNonce)))!;

        Assert.Equal(DeviceActions.None, second.Action);
        var view = (await api.GetFromJsonAsync($"api/v1/devices/{device.Id}", ProtocolJsonContext.Default.DeviceView))!;
        Assert.Equal("good", view.Attestation);
        Assert.Equal("2.0", view.Slots["a"].Version);
        Assert.Equal("a", view.ActiveSlot);
        Assert.Equal(2, view.SecurityCounter);
        Assert.Equal("done", view.AssignmentState);
        var audit = (await api.GetFromJsonAsync("api/v1/audit/verify", ProtocolJsonContext.Default.AuditVerification))!;
        Assert.True(audit.Valid, audit.Problem);
    }

    private static async Task<CheckInResponse?> CheckInAsync(HttpClient client, CheckInRequest request)
    {
        using var response = await client.PostAsJsonAsync("device/v1/checkin", request, ProtocolJsonContext.Default.CheckInRequest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CheckInResponse);
    }

    /// <summary>What a device that committed <paramref name="release"/> in slot a reports, with a quote signed by its key.</summary>
    private static CheckInRequest Booted(TestDevice device, ReleaseInfo release, string nonce, string? measurement = null)
    {
        using var signer = new EcdsaSigner(ECDsa.Create(device.Key.ExportParameters(includePrivateParameters: true)), "device");
        var quote = QuoteSigner.Sign(
            new QuoteBody
            {
                DeviceId = device.Id,
                Nonce = nonce,
                Measurement = measurement ?? release.ExpectedMeasurement,
                ManifestSha256 = new string('b', 64),
                Slot = "a",
                Version = release.Version,
                SecurityCounter = release.SecurityCounter,
            },
            signer);
        return new CheckInRequest
        {
            ActiveSlot = "a",
            BootedSlot = "a",
            SecurityCounter = release.SecurityCounter,
            Health = "healthy",
            Slots = new Dictionary<string, SlotReport>
            {
                ["a"] = new() { State = "good", Version = release.Version, SecurityCounter = release.SecurityCounter, Target = release.Name },
                ["b"] = new() { State = "empty" },
            },
            Quote = quote,
        };
    }
}
