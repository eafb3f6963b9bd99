using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Otter.Protocol;
using Otter.Protocol.Alerts;
using Otter.Protocol.Device;
using Otter.Protocol.Incidents;
using Otter.Protocol.Management;
using Otter.Server.Devices;
using Otter.Server.Tests.Support;

namespace Otter.Server.Tests.Incidents;

/// <summary>
/// Detection, containment, investigation and remediation against a real server on loopback:
/// a tampered device is quarantined and alerted at once, answers only remediation, is re-imaged
/// in both slots, attests good, is released, and its incident closes with a full timeline.
/// </summary>
public sealed class IncidentResponseTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task TamperedDevice_MismatchAtCheckIn_QuarantinedAlertedReimagedBothSlotsReleasedTimelineComplete()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        using var api = server.Api();
        (await api.PostAsJsonAsync("api/v1/alerts/webhooks", new WebhookRequest { Url = receiver.Url.AbsoluteUri, Secret = Secret }, ProtocolJsonContext.Default.WebhookRequest)).EnsureSuccessStatusCode();
        var release = (await TestReleases.PublishAsync(server, "fw/gw-x2/1.0.bundle", TestReleases.Bundle(server.WorkDirectory, "1.0"))).Release;
        using var client = new IncidentClient(server, await Devices.DeviceApiTests.EnrolledAsync(server));
        await client.CheckInOkAsync();
        await client.CheckInOkAsync(release);
        Assert.Equal("good", (await client.ViewAsync()).Attestation);

        // The slot image was altered behind the agent's back: the next quote measures something else.
        var answer = await client.CheckInOkAsync(release, measurement: new string('e', 64));

        Assert.Equal(DeviceActions.None, answer.Action);
        var view = await client.ViewAsync();
        Assert.True(view.Quarantined);
        Assert.Equal(DeviceStatuses.Quarantined, view.Status);
        var incidentId = Assert.Single(view.OpenIncidents);
        var incident = await client.IncidentAsync(incidentId);
        Assert.Equal(IncidentKinds.AttestationMismatch, incident.Kind);
        Assert.Equal(["detected", "quarantined"], incident.Timeline.Select(s => s.Action));
        Assert.All(incident.Timeline, s => Assert.Equal("system", s.Actor));
        Assert.Contains("eeeeeeee", incident.Timeline[0].Detail, StringComparison.Ordinal);

        var alert = await WaitForAsync(() => receiver.Received.FirstOrDefault(r => r.Event == "attestation.mismatch").Body);
        var payload = JsonSerializer.Deserialize(alert, ProtocolJsonContext.Default.AlertPayload)!;
        Assert.Equal("high", payload.Severity);
        Assert.Equal(incidentId.ToString(System.Globalization.CultureInfo.InvariantCulture), payload.Details["incident"]);
        Assert.Equal(DeviceStatuses.Quarantined, payload.Details["status"]);
        var delivered = receiver.Received.First(r => r.Event == "attestation.mismatch");
        Assert.True(AlertSignature.Verify(delivered.Signature, delivered.Body, Encoding.UTF8.GetBytes(Secret), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));

        // Re-image: the order arrives on the remediation check-in, even while quarantined.
        await client.OrderAsync("reimage", new ReimageRequest { Release = release.Name, Reason = "known-good image" });
        var order = await client.CheckInOkAsync(release, measurement: new string('e', 64), remediation: true);
        Assert.Equal(DeviceActions.Reimage, order.Action);
        Assert.Equal(release.Name, order.Update!.Target);
        foreach (var phase in new[] { ReportPhases.Downloading, ReportPhases.Installed, ReportPhases.Committed })
        {
            using var report = await client.ReportAsync(phase, release.Name, remediation: true);
            Assert.Equal(HttpStatusCode.NoContent, report.StatusCode);
        }

        // One slot re-imaged is not enough: the order stands until both slots hold the release.
        Assert.Equal(DeviceActions.Reimage, (await client.CheckInOkAsync(release, remediation: true)).Action);
        Assert.Equal(DeviceActions.None, (await client.CheckInOkAsync(release, remediation: true, bothSlots: true)).Action);
        Assert.Equal("good", (await client.ViewAsync()).Attestation);

        await client.OrderAsync("unquarantine", new QuarantineRequest { Reason = "re-imaged, attestation good" });
        Assert.Equal(DeviceActions.None, (await client.CheckInOkAsync(release, bothSlots: true)).Action);
        using (var close = await api.PostAsJsonAsync($"api/v1/incidents/{incidentId}/close", new IncidentCloseRequest { RootCause = "slot a altered on disk", Prevention = "disk encryption" }, ProtocolJsonContext.Default.IncidentCloseRequest))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        incident = await client.IncidentAsync(incidentId);
        Assert.Equal(IncidentStatuses.Closed, incident.Status);
        Assert.Equal(
            ["detected", "quarantined", "reimage-requested", "reimage-downloading", "reimage-installed", "reimage-committed", "reimaged", "released", "closed"],
            incident.Timeline.Select(s => s.Action));
        Assert.Equal(
            [IncidentPhases.Detection, IncidentPhases.Containment, IncidentPhases.Remediation, IncidentPhases.PostMortem],
            incident.Timeline.Select(s => s.Phase).Distinct());
        Assert.Equal("key:bootstrap-admin", incident.Timeline[^1].Actor);
        Assert.Equal("slot a altered on disk", incident.RootCause);
        Assert.False((await client.ViewAsync()).Quarantined);
        var audit = (await api.GetFromJsonAsync("api/v1/audit?limit=1000", ProtocolJsonContext.Default.ListAuditEntry))!;
        Assert.Contains(audit, a => a.Action == "device.quarantine" && a.Actor == "system");
        Assert.Contains(audit, a => a.Action == "device.unquarantine" && a.Actor == "key:bootstrap-admin");
        Assert.Equal(incident.Timeline.Count, audit.Count(a => a.Action.StartsWith("incident.", StringComparison.Ordinal) && a.Subject == $"incident:{incidentId}"));
        Assert.True((await api.GetFromJsonAsync("api/v1/audit/verify", ProtocolJsonContext.Default.AuditVerification))!.Valid);
    }

    [Fact]
    public async Task QuarantinedDevice_NormalEndpoints_403WithTypeButRemediationAndForensicsWork()
    {
        await using var server = await ServerFixture.StartAsync();
        using var client = new IncidentClient(server, await Devices.DeviceApiTests.EnrolledAsync(server));
        await client.CheckInOkAsync();
        var order = await client.OrderAsync("quarantine", new QuarantineRequest { Reason = "suspicious traffic" });
        Assert.Equal(DeviceStatuses.Quarantined, order.Status);

        using (var checkIn = await client.CheckInAsync())
        {
            Assert.Equal(HttpStatusCode.Forbidden, checkIn.StatusCode);
            var problem = await checkIn.Content.ReadAsStringAsync();
            Assert.Contains(DeviceAuthenticationMiddleware.QuarantinedType, problem, StringComparison.Ordinal);
            Assert.Contains("/device/v1/remediation/checkin", problem, StringComparison.Ordinal);
        }

        using (var report = await client.ReportAsync(ReportPhases.Downloading, "fw", remediation: false))
        {
            Assert.Equal(HttpStatusCode.Forbidden, report.StatusCode);
        }

        using (var self = await client.GetSelfAsync())
        {
            Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        }

        // Signed tokens are refused the same way.
        using (var token = await server.Device().SendAsync(client.Device.TokenRequest(HttpMethod.Post, "device/v1/checkin", "{}", DateTimeOffset.UtcNow)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, token.StatusCode);
        }

        using (var token = await server.Device().SendAsync(client.Device.TokenRequest(HttpMethod.Post, "device/v1/remediation/checkin", "{}", DateTimeOffset.UtcNow)))
        {
            Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        }

        var collect = await client.OrderAsync("collect");
        var action = await client.CheckInOkAsync(remediation: true);
        Assert.Equal(DeviceActions.Collect, action.Action);
        Assert.Equal(collect.EvidenceId, action.Collect!.RequestId);
        using var upload = await client.UploadAsync(collect.EvidenceId!.Value, client.Bundle(collect.EvidenceId.Value), client.Device.Key);
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal(DeviceActions.None, (await client.CheckInOkAsync(remediation: true)).Action);
    }

    [Fact]
    public async Task Evidence_ReceivedBundle_VerifiesAndAnyChangedByteDetected()
    {
        await using var server = await ServerFixture.StartAsync();
        using var client = new IncidentClient(server, await Devices.DeviceApiTests.EnrolledAsync(server));
        await client.CheckInOkAsync();
        var collect = await client.OrderAsync("collect");
        var bundle = client.Bundle(collect.EvidenceId!.Value);
        using (var upload = await client.UploadAsync(collect.EvidenceId.Value, bundle, client.Device.Key))
        {
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        }

        var incident = await client.IncidentAsync(collect.IncidentId!.Value);
        var custody = Assert.Single(incident.Evidence);
        Assert.Equal("key:bootstrap-admin", custody.RequestedBy);
        Assert.NotNull(custody.ReceivedAt);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bundle)), custody.Sha256);
        Assert.Contains(incident.Timeline, s => s.Action == "evidence-received" && s.Actor == $"device:{client.Device.Id}");
        var exported = await client.Api.GetByteArrayAsync($"api/v1/incidents/{incident.Id}/evidence/{custody.Id}");
        var enrolled = (await client.ViewAsync()).Id;
        Assert.Equal(client.Device.Id, enrolled);

        Assert.Equal(bundle, exported);
        Assert.Null(EvidenceVerifier.Check(exported, custody));
        for (var i = 0; i < exported.Length; i++)
        {
            var altered = (byte[])exported.Clone();
            altered[i] ^= 0x01;
            Assert.NotNull(EvidenceVerifier.Check(altered, custody));
        }

        // Write-once: a second upload for the same request is refused and the first stays.
        using (var again = await client.UploadAsync(collect.EvidenceId.Value, client.Bundle(collect.EvidenceId.Value), client.Device.Key))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        Assert.Equal(bundle, await client.Api.GetByteArrayAsync($"api/v1/incidents/{incident.Id}/evidence/{custody.Id}"));
    }

    [Theory]
    [InlineData("oversize", HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("unsigned", HttpStatusCode.BadRequest)]
    [InlineData("other-device", HttpStatusCode.Forbidden)]
    [InlineData("malformed", HttpStatusCode.BadRequest)]
    [InlineData("wrong-request", HttpStatusCode.BadRequest)]
    [InlineData("traversal", HttpStatusCode.BadRequest)]
    public async Task ForensicUpload_BadBundle_RefusedAndNothingStored(string kind, HttpStatusCode expected)
    {
        await using var server = await ServerFixture.StartAsync();
        using var client = new IncidentClient(server, await Devices.DeviceApiTests.EnrolledAsync(server));
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await client.CheckInOkAsync();
        var collect = await client.OrderAsync("collect");
        var id = collect.EvidenceId!.Value;
        var good = client.Bundle(id);
        var (body, signer) = kind switch
        {
            "oversize" => (new byte[(16 * 1024 * 1024) + 1], client.Device.Key),
            "unsigned" => (good, null),
            "other-device" => (good, other),
            "malformed" => ("{\"device_id\":"u8.ToArray(), client.Device.Key),
            "wrong-request" => (client.Bundle(id + 1), client.Device.Key),
            _ => (Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(good).Replace("logs/agent.log", "../../etc/passwd", StringComparison.Ordinal)), client.Device.Key),
        };

        using var response = await client.UploadAsync(id, body, signer);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var custody = Assert.Single((await client.IncidentAsync(collect.IncidentId!.Value)).Evidence);
        Assert.Null(custody.ReceivedAt);
        Assert.Null(custody.Sha256);
        using (var missing = await client.Api.GetAsync($"api/v1/incidents/{collect.IncidentId}/evidence/{id}"))
        {
            Assert.Equal(HttpStatusCode.Conflict, missing.StatusCode);
        }

        // The request is still open: the right bundle is accepted afterwards.
        using var retry = await client.UploadAsync(id, good, client.Device.Key);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }

    [Fact]
    public async Task Wipe_OldCertificateAndTokenRefused_FactoryReenrollmentIsNewIdentity()
    {
        await using var server = await ServerFixture.StartAsync();
        using var client = new IncidentClient(server, await Devices.DeviceApiTests.EnrolledAsync(server));
        await client.CheckInOkAsync();
        var oldKey = client.Device.Key.ExportSubjectPublicKeyInfoPem();
        var before = await client.ViewAsync();

        var wiped = await client.OrderAsync("wipe");

        Assert.Equal(DeviceStatuses.Wiped, wiped.Status);
        using (var checkIn = await client.CheckInAsync())
        {
            Assert.Equal(HttpStatusCode.Forbidden, checkIn.StatusCode);
            Assert.Contains(DeviceAuthenticationMiddleware.WipedType, await checkIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var remediation = await client.CheckInAsync(remediation: true))
        {
            Assert.Equal(HttpStatusCode.Forbidden, remediation.StatusCode);
        }

        using (var token = await server.Device().SendAsync(client.Device.TokenRequest(HttpMethod.Post, "device/v1/checkin", "{}", DateTimeOffset.UtcNow)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, token.StatusCode);
        }

        // The same key is not trusted again: the device must have crypto-erased it.
        using (var sameKey = await client.Device.EnrollAsync(server))
        {
            Assert.Equal(HttpStatusCode.Forbidden, sameKey.StatusCode);
        }

        var oldCertificate = client.Device.ClientCertificate!;
        var oldToken = client.Device.TokenSecret!;
        client.Device.Rekey();
        using (var enroll = await client.Device.EnrollAsync(server))
        {
            Assert.Equal(HttpStatusCode.OK, enroll.StatusCode);
        }

        var after = await client.ViewAsync();
        Assert.Equal(DeviceStatuses.Approved, after.Status);
        Assert.True(after.EnrolledAt >= before.EnrolledAt);
        Assert.Empty(after.OpenIncidents);
        Assert.NotEqual(oldToken, client.Device.TokenSecret);
        var archived = (await client.Api.GetFromJsonAsync($"api/v1/devices/{client.Device.Id}~wiped-1", ProtocolJsonContext.Default.DeviceView))!;
        Assert.Equal(DeviceStatuses.Wiped, archived.Status);
        Assert.Single(archived.OpenIncidents);
        Assert.NotEqual(oldKey, client.Device.Key.ExportSubjectPublicKeyInfoPem());

        // The old certificate and token stay refused; the new ones work.
        using (var old = server.Device(oldCertificate))
        using (var refused = await old.PostAsJsonAsync("device/v1/checkin", new CheckInRequest(), ProtocolJsonContext.Default.CheckInRequest))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var newClient = new IncidentClient(server, client.Device))
        {
            await newClient.CheckInOkAsync();
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
    {
        for (var i = 0; i < 200; i++)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the condition did not come true in 10 s.");
    }
}
