using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Otter.Protocol;
using Otter.Protocol.Alerts;
using Otter.Protocol.Device;
using Otter.Protocol.Incidents;
using Otter.Protocol.Management;
using Otter.Server.Tests.Support;
using Otter.Trust.Keys;

namespace Otter.Server.Tests.EndToEnd;

/// <summary>
/// Incident response with a real server on loopback and real <c>otter-agent run --once</c>
/// processes: a slot image altered on disk is caught by attestation, quarantined, alerted,
/// investigated (evidence from the suspect image), re-imaged in both slots and released; evidence is collected, exported and verified; a wiped
/// device crypto-erases and comes back as a new fleet identity.
/// </summary>
public sealed class IncidentEndToEndTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Agent_SlotAlteredOnDisk_DetectedQuarantinedAlertedReimagedBothSlotsReleased()
    {
        await using var server = await ServerFixture.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        using var api = server.Api();
        (await api.PostAsJsonAsync("api/v1/alerts/webhooks", new WebhookRequest { Url = receiver.Url.AbsoluteUri, Secret = Secret }, ProtocolJsonContext.Default.WebhookRequest)).EnsureSuccessStatusCode();
        const string id = "gw-ir-tamper";
        var device = Path.Combine(server.WorkDirectory, "device");
        var release = await InstalledAsync(server, api, device, id);
        Assert.Equal("good", (await ViewAsync(api, id)).Attestation);

        // Behind the agent's back: the running slot's OS image is altered on disk.
        var active = (await ViewAsync(api, id)).ActiveSlot!;
        await File.AppendAllTextAsync(Path.Combine(device, "slots", active, "os.stage"), "implant\n");
        var alteredHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(device, "slots", active, "os.stage"))));

        var detected = Run(server, device);

        Assert.Contains($"slot {active} no longer measures as it did at boot", detected.StandardError, StringComparison.Ordinal);
        var view = await ViewAsync(api, id);
        Assert.Equal("mismatch", view.Attestation);
        Assert.True(view.Quarantined);
        var incidentId = Assert.Single(view.OpenIncidents);
        Assert.Equal(IncidentKinds.AttestationMismatch, (await IncidentAsync(api, incidentId)).Kind);
        var alert = await WaitForAsync(() => receiver.Received.FirstOrDefault(r => r.Event == "attestation.mismatch").Body);
        var payload = JsonSerializer.Deserialize(alert, ProtocolJsonContext.Default.AlertPayload)!;
        Assert.Contains(id, payload.Subject + payload.Summary, StringComparison.Ordinal);
        Assert.Equal(incidentId.ToString(System.Globalization.CultureInfo.InvariantCulture), payload.Details["incident"]);

        // Quarantined: the agent says so and checks in at the remediation check-in; nothing else works.
        var quarantined = Run(server, device);
        Assert.Contains($"device {id} is QUARANTINED by the fleet", quarantined.StandardError, StringComparison.Ordinal);
        Assert.Contains("checked in at the remediation check-in", quarantined.StandardOutput, StringComparison.Ordinal);

        // Evidence first, from the suspect image; then the re-image. Both orders reach the quarantined device.
        using var collect = await api.PostAsync($"api/v1/devices/{id}/collect", null);
        Assert.True(collect.IsSuccessStatusCode, await collect.Content.ReadAsStringAsync());
        var evidence = (await collect.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.DeviceOrderView))!;
        Assert.Equal(incidentId, evidence.IncidentId);
        using (var reimage = await api.PostAsJsonAsync($"api/v1/devices/{id}/reimage", new ReimageRequest { Release = release.Name, Reason = "known-good image" }, ProtocolJsonContext.Default.ReimageRequest))
        {
            Assert.True(reimage.IsSuccessStatusCode, await reimage.Content.ReadAsStringAsync());
        }

        var reimaged = Run(server, device);

        Assert.Contains($"uploaded forensic bundle {evidence.EvidenceId}", reimaged.StandardOutput, StringComparison.Ordinal);
        var custody = Assert.Single((await IncidentAsync(api, incidentId)).Evidence);
        var bundleBytes = await api.GetByteArrayAsync($"api/v1/incidents/{incidentId}/evidence/{custody.Id}");
        Assert.Null(EvidenceVerifier.Check(bundleBytes, custody));
        var bundle = JsonSerializer.Deserialize(bundleBytes, ProtocolJsonContext.Default.ForensicBundle)!;
        var slotHashes = Encoding.UTF8.GetString(Convert.FromBase64String(bundle.Items.Single(i => i.Name == $"slots/{active}.sha256").Content));
        Assert.Contains($"{alteredHash}  os.stage", slotHashes, StringComparison.Ordinal);
        var measurements = Encoding.UTF8.GetString(Convert.FromBase64String(bundle.Items.Single(i => i.Name == "measurements.txt").Content));
        Assert.Contains($"slot {active} now: ", measurements, StringComparison.Ordinal);
        Assert.Contains("boot chain fails: stage os", measurements, StringComparison.Ordinal);

        Assert.Contains($"re-image done: slots a and b both run {release.Name}", reimaged.StandardOutput, StringComparison.Ordinal);
        view = await ViewAsync(api, id);
        Assert.True(view.Quarantined);
        Assert.Equal("good", view.Attestation);
        Assert.Equal(release.ExpectedMeasurement, view.Measurement);
        Assert.All(view.Slots.Values, s => Assert.Equal(("good", release.Name), (s.State, s.Target)));
        Assert.Equal(2, view.Slots.Count);
        var expectedOs = await File.ReadAllBytesAsync(Path.Combine(device, "slots", BootOther(active), "os.stage"));
        Assert.Equal(expectedOs, await File.ReadAllBytesAsync(Path.Combine(device, "slots", active, "os.stage")));

        using (var release1 = await api.PostAsJsonAsync($"api/v1/devices/{id}/unquarantine", new QuarantineRequest { Reason = "re-imaged, attestation good" }, ProtocolJsonContext.Default.QuarantineRequest))
        {
            Assert.True(release1.IsSuccessStatusCode, await release1.Content.ReadAsStringAsync());
        }

        var released = Run(server, device);

        Assert.Contains("released from quarantine", released.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("checked in (quoted slot", released.StandardOutput, StringComparison.Ordinal);
        Assert.False((await ViewAsync(api, id)).Quarantined);
        var incident = await IncidentAsync(api, incidentId);
        Assert.Equal(
            ["detected", "quarantined", "collect-requested", "reimage-requested", "evidence-received", "reimage-downloading", "reimage-installed", "reimage-committed", "reimage-downloading", "reimage-installed", "reimage-committed", "reimaged", "released"],
            incident.Timeline.Select(s => s.Action));
        Assert.All(incident.Timeline.Where(s => s.Action.StartsWith("reimage-", StringComparison.Ordinal) && s.Action != "reimage-requested"), s => Assert.Equal($"device:{id}", s.Actor));
        Assert.Contains("(1 of 2)", incident.Timeline[6].Detail, StringComparison.Ordinal);
        Assert.Contains("(2 of 2)", incident.Timeline[9].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_CollectOrdered_EvidenceExportedAndVerifiedAndFlippedByteDetected()
    {
        await using var server = await ServerFixture.StartAsync();
        using var api = server.Api();
        const string id = "gw-ir-collect";
        var device = Path.Combine(server.WorkDirectory, "device");
        await InstalledAsync(server, api, device, id);
        using var ordered = await api.PostAsync($"api/v1/devices/{id}/collect", null);
        Assert.True(ordered.IsSuccessStatusCode, await ordered.Content.ReadAsStringAsync());
        var order = (await ordered.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.DeviceOrderView))!;

        var collected = Run(server, device);

        Assert.Contains($"uploaded forensic bundle {order.EvidenceId}", collected.StandardOutput, StringComparison.Ordinal);
        var caFile = Path.Combine(server.WorkDirectory, "api-ca.pem");
        await File.WriteAllTextAsync(caFile, server.CaCertificate.ExportCertificatePem());
        var exportDirectory = Path.Combine(server.WorkDirectory, "evidence");
        var export = ProcessRunner.TryRun(
            "dotnet",
            [ServerProcess.OtterDll, "incident", "evidence", order.IncidentId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", exportDirectory,
                "--server", server.ApiUrl.AbsoluteUri, "--api-key", server.AdminKey, "--server-ca", caFile],
            timeout: TimeSpan.FromMinutes(2));

        Assert.True(export.ExitCode == 0, export.StandardOutput + export.StandardError);
        Assert.Contains($"signature by device {id} verifies", export.StandardOutput, StringComparison.Ordinal);
        var name = $"evidence-{order.EvidenceId}";
        var bytes = await File.ReadAllBytesAsync(Path.Combine(exportDirectory, name + ".bundle.json"));
        var custody = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(Path.Combine(exportDirectory, name + ".custody.json")), ProtocolJsonContext.Default.EvidenceView)!;
        Assert.Null(EvidenceVerifier.Check(bytes, custody, DevicePublicKeyPem(device)));
        Assert.Equal("key:bootstrap-admin", custody.RequestedBy);

        // What the device sent: its slot hashes from disk, boot control, measurements, quotes, logs; no secrets.
        var bundle = JsonSerializer.Deserialize(bytes, ProtocolJsonContext.Default.ForensicBundle)!;
        Assert.Equal((id, order.EvidenceId!.Value), (bundle.DeviceId, bundle.RequestId));
        var items = bundle.Items.ToDictionary(i => i.Name, i => Encoding.UTF8.GetString(Convert.FromBase64String(i.Content)));
        Assert.Superset(new HashSet<string> { "logs/agent.log", "bootctl.json", "slots/a.sha256", "slots/b.sha256", "measurements.txt", "quotes.json", "agent/state.json" }, items.Keys.ToHashSet());
        var active = (await ViewAsync(api, id)).ActiveSlot!;
        var osHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(device, "slots", active, "os.stage"))));
        Assert.Contains($"{osHash}  os.stage", items[$"slots/{active}.sha256"], StringComparison.Ordinal);
        Assert.All(items.Values, v => Assert.DoesNotContain("PRIVATE KEY", v, StringComparison.Ordinal));

        // Any byte changed in the exported evidence is detected.
        foreach (var position in new[] { 0, bytes.Length / 3, bytes.Length / 2, bytes.Length - 1 })
        {
            var altered = (byte[])bytes.Clone();
            altered[position] ^= 0x01;
            Assert.NotNull(EvidenceVerifier.Check(altered, custody));
        }
    }

    [Fact]
    public async Task Agent_Wiped_OldCertificateAndTokenRefusedAndReenrolledAsNewIdentity()
    {
        await using var server = await ServerFixture.StartAsync();
        using var api = server.Api();
        const string id = "gw-ir-wipe";
        var device = Path.Combine(server.WorkDirectory, "device");
        await InstalledAsync(server, api, device, id);
        var before = await ViewAsync(api, id);
        var oldKey = DevicePublicKeyPem(device);
        using var oldCertificate = OpenFleetCertificate(device);
        var oldSecret = Convert.FromBase64String((await File.ReadAllTextAsync(Path.Combine(device, "fleet", "token.secret"))).Trim());
        using (var wipe = await api.PostAsync($"api/v1/devices/{id}/wipe", null))
        {
            Assert.True(wipe.IsSuccessStatusCode, await wipe.Content.ReadAsStringAsync());
        }

        var wiped = Run(server, device);

        Assert.Contains($"the fleet wiped device {id}", wiped.StandardError, StringComparison.Ordinal);
        foreach (var step in new[] { "wipe 1/5", "wipe 2/5", "wipe 3/5", "wipe 4/5", "wipe 5/5", $"enrolled {id} with" })
        {
            Assert.Contains(step, wiped.StandardOutput, StringComparison.Ordinal);
        }

        var after = await ViewAsync(api, id);
        Assert.Equal(DeviceStatuses.Approved, after.Status);
        Assert.NotEqual(oldKey, DevicePublicKeyPem(device));
        Assert.True(after.EnrolledAt >= before.EnrolledAt);
        Assert.Empty(after.OpenIncidents);
        Assert.All(after.Slots.Values, s => Assert.Equal("empty", s.State));
        Assert.Equal(before.SecurityCounter, after.SecurityCounter);
        var archived = (await api.GetFromJsonAsync($"api/v1/devices/{id}~wiped-1", ProtocolJsonContext.Default.DeviceView))!;
        Assert.Equal(DeviceStatuses.Wiped, archived.Status);

        // The old certificate and the old token secret are refused; the new identity checks in.
        using (var old = server.Device(oldCertificate))
        using (var refused = await old.PostAsJsonAsync("device/v1/checkin", new CheckInRequest(), ProtocolJsonContext.Default.CheckInRequest))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var body = "{}"u8.ToArray();
        using (var client = server.Device())
        using (var request = new HttpRequestMessage(HttpMethod.Post, "device/v1/checkin") { Content = new ByteArrayContent(body) })
        {
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("Authorization", DeviceToken.Create(id, oldSecret, "POST", "/device/v1/checkin", body, DateTimeOffset.UtcNow));
            using var refused = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var again = Run(server, device);
        Assert.Contains("checked in", again.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("enrolled", again.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>Provisions and enrolls <paramref name="id"/>, publishes 1.0, assigns it and lets the agent install it.</summary>
    private static async Task<ReleaseInfo> InstalledAsync(ServerFixture server, HttpClient api, string device, string id)
    {
        AgentEndToEndTests.Provision(server, device, id);
        Run(server, device);
        var release = (await TestReleases.PublishAsync(server, "fw/gw-x2/1.0.bundle", TestReleases.Bundle(server.WorkDirectory, "1.0", counter: 1, osBytes: 64 * 1024))).Release;
        (await api.PostAsJsonAsync($"api/v1/devices/{id}/assignment", new AssignmentRequest { Release = release.Name }, ProtocolJsonContext.Default.AssignmentRequest)).EnsureSuccessStatusCode();
        var installed = Run(server, device);
        Assert.Contains("committed", installed.StandardOutput, StringComparison.Ordinal);
        return release;
    }

    private static ProcessResult Run(ServerFixture server, string device)
    {
        var result = AgentEndToEndTests.Agent("run", "--device", device, "--server", server.DeviceUrl.AbsoluteUri, "--once");
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        return result;
    }

    /// <summary>The device's fleet certificate with its (still existing) device key, as a thief who copied both would hold them.</summary>
    private static X509Certificate2 OpenFleetCertificate(string device)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(device, "fleet", "cert.pem")));
        using var key = new KeyLoader(new FixedPassphraseSource(TestKeys.Passphrase)).OpenEcdsa(Path.Combine(device, "keys", "device.key"));
        return certificate.CopyWithPrivateKey(key);
    }

    private static string DevicePublicKeyPem(string device)
    {
        using var key = new KeyLoader(new FixedPassphraseSource(TestKeys.Passphrase)).OpenEcdsa(Path.Combine(device, "keys", "device.key"));
        return key.ExportSubjectPublicKeyInfoPem();
    }

    private static string BootOther(string slot) => slot == "a" ? "b" : "a";

    private static async Task<DeviceView> ViewAsync(HttpClient api, string id) =>
        (await api.GetFromJsonAsync($"api/v1/devices/{id}", ProtocolJsonContext.Default.DeviceView))!;

    private static async Task<IncidentView> IncidentAsync(HttpClient api, long id) =>
        (await api.GetFromJsonAsync($"api/v1/incidents/{id}", ProtocolJsonContext.Default.IncidentView))!;

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
