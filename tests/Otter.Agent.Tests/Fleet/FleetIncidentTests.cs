using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Protocol.Incidents;

namespace Otter.Agent.Tests.Fleet;

/// <summary>
/// Incident response on the device, against the fleet stub over real TLS: quarantine and the
/// remediation check-in, a forced re-image of both slots, a signed forensic bundle without
/// secrets, a crypto-erase and re-enrollment after a wipe, and quotes that measure the disk now.
/// </summary>
public sealed class FleetIncidentTests
{
    [Fact]
    public async Task RunOnce_Quarantined_RemediationCheckInUntilReleased()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        var nonce = world.Server.Nonces.Last();
        world.Server.Quarantined = true;
        var before = world.Server.Requests.Count;

        var quarantined = await world.RunOnceAsync();

        Assert.True(quarantined.ExitCode == 0, quarantined.ToString());
        Assert.Contains("device gw-0001 is QUARANTINED by the fleet", quarantined.Error, StringComparison.Ordinal);
        Assert.Contains("/device/v1/remediation/checkin", quarantined.Error, StringComparison.Ordinal);
        Assert.Equal(["checked in at the remediation check-in (quoted slot a 1.0): nothing to do (still quarantined)"], Lines(quarantined.Output));
        Assert.Equal(
            [("/device/v1/checkin", 403), ("/device/v1/remediation/checkin", 200)],
            world.Server.Requests.Skip(before).Select(r => (r.Path, r.Status)));
        Assert.Equal(nonce, Assert.Single(world.Server.RemediationCheckIns).Quote!.Quote.Nonce);
        Assert.True(State(world).GetProperty("quarantined").GetBoolean());

        // Said once: later cycles only say they are still quarantined.
        var again = await world.RunOnceAsync();
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(string.Empty, again.Error);
        Assert.Contains("(still quarantined)", again.Output, StringComparison.Ordinal);

        world.Server.Quarantined = false;
        before = world.Server.Requests.Count;
        var released = await world.RunOnceAsync();

        Assert.True(released.ExitCode == 0, released.ToString());
        Assert.Equal(
            ["released from quarantine: the fleet answers device gw-0001's normal check-in again", "checked in (quoted slot a 1.0): nothing to do"],
            Lines(released.Output));
        Assert.Equal([("/device/v1/checkin", 200)], world.Server.Requests.Skip(before).Select(r => (r.Path, r.Status)));
        Assert.False(State(world).GetProperty("quarantined").GetBoolean());
    }

    [Fact]
    public async Task RunOnce_QuarantinedAndRemediationAnswersUpdate_RefusedNothingInstalled()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        world.Server.Quarantined = true;
        world.Server.AssignUpdate(ReleaseFactory.V2, "2.0");

        var result = await world.RunOnceAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("a quarantined device takes only `none`, `reimage` or `collect`", result.Error, StringComparison.Ordinal);
        Assert.Equal(3, world.Server.Reports.Count);
        Assert.Equal(SlotState.Empty, ReleaseFactory.OpenDevice(world.Device).ReadBootControl().Slots["b"].State);
    }

    [Fact]
    public async Task RunOnce_SlotAlteredThenReimageOrdered_QuoteShowsAlterationBothSlotsRewrittenAndAttestGood()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        var expected = Measurements.Expected(world.Device, "a");
        var os = Path.Combine(world.Device, "slots", "a", "os.stage");
        var original = await File.ReadAllBytesAsync(os);

        // Behind the agent's back: the booted slot's OS image changes on disk.
        await File.AppendAllTextAsync(os, "implant\n");
        world.Server.Quarantined = true;
        world.Server.OrderReimage(ReleaseFactory.V1, "1.0");
        var before = world.Server.Requests.Count;

        var result = await world.RunOnceAsync();

        Assert.True(result.ExitCode == 0, result.ToString());

        // The quote measured the disk as it is now, not the register of the last boot.
        var tampered = world.Server.RemediationCheckIns.First().Quote!;
        Assert.NotEqual(expected, tampered.Quote.Measurement);
        Assert.Contains("slot a no longer measures as it did at boot", result.Error, StringComparison.Ordinal);

        var control = ReleaseFactory.OpenDevice(world.Device).ReadBootControl();
        Assert.Equal(("a", "a", (TrialBoot?)null), (control.Active, control.Booted, control.Trial));
        Assert.All(BootControl.SlotNames, s => Assert.Equal((SlotState.Good, ReleaseFactory.V1, "1.0"), (control.Slots[s].State, control.Slots[s].Target, control.Slots[s].Version)));
        Assert.Equal(expected, Measurements.Expected(world.Device, "a"));
        Assert.Equal(expected, Measurements.Expected(world.Device, "b"));
        Assert.Equal(original, await File.ReadAllBytesAsync(os));
        Assert.Equal(original, await File.ReadAllBytesAsync(Path.Combine(world.Device, "slots", "b", "os.stage")));

        // Progress went to the remediation reports (a quarantined device's normal reports are refused), per slot.
        Assert.Equal(
            [ReportPhases.Downloading, ReportPhases.Installed, ReportPhases.Committed, ReportPhases.Downloading, ReportPhases.Installed, ReportPhases.Committed],
            world.Server.RemediationReports.Select(r => r.Phase));
        Assert.All(world.Server.RemediationReports, r => Assert.Equal((ReleaseFactory.V1, "1.0"), (r.Target, r.Version)));
        Assert.Contains("slot b (1 of 2)", world.Server.RemediationReports.ElementAt(1).Detail, StringComparison.Ordinal);
        Assert.Contains("slot a (2 of 2)", world.Server.RemediationReports.ElementAt(4).Detail, StringComparison.Ordinal);
        Assert.Equal(3, world.Server.Reports.Count);
        Assert.DoesNotContain(world.Server.Requests.Skip(before), r => r.Path == "/device/v1/reports");

        // The check-in after the re-image shows both slots good and quotes the known-good measurement.
        var after = world.Server.RemediationCheckIns.Last();
        Assert.Equal(2, world.Server.RemediationCheckIns.Count);
        Assert.All(after.Slots.Values, s => Assert.Equal(("good", ReleaseFactory.V1), (s.State, s.Target)));
        Assert.Equal(expected, after.Quote!.Quote.Measurement);
        Assert.Contains("re-image done: slots a and b both run fw-1.0.bin (1.0)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_ReimageBelowSecurityCounter_RefusedReportedFailedSlotsKept()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V2, "2.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        world.Server.OrderReimage(ReleaseFactory.V1, "1.0");

        var result = await world.RunOnceAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("re-image to fw-1.0.bin (1.0) refused", result.Error, StringComparison.Ordinal);
        Assert.Contains("downgrade", result.Error, StringComparison.Ordinal);
        Assert.Equal([ReportPhases.Downloading, ReportPhases.Failed], world.Server.RemediationReports.Select(r => r.Phase));
        var control = ReleaseFactory.OpenDevice(world.Device).ReadBootControl();
        Assert.Equal(("a", 2L), (control.Active, control.SecurityCounter));
        Assert.Equal((SlotState.Good, ReleaseFactory.V2), (control.Slots["a"].State, control.Slots["a"].Target));
        Assert.Equal(SlotState.Empty, control.Slots["b"].State);
    }

    [Fact]
    public async Task RunOnce_CollectOrdered_BundleSignedByEnrolledKeyWithDiskHashesAndNoSecrets()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        world.Server.OrderCollect(42);

        var result = await world.RunOnceAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var (request, body, signature) = Assert.Single(world.Server.Uploads);
        Assert.Equal(42, request);
        Assert.Contains($"uploaded forensic bundle 42: ", result.Output, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(body)), result.Output, StringComparison.Ordinal);

        // Signed over the exact bytes with the key the device enrolled; one flipped byte no longer verifies.
        var enrolledKey = EnrolledKeyPem(world, 0);
        Assert.True(ForensicSignature.Verify(body, Convert.FromBase64String(signature!), enrolledKey));
        var altered = (byte[])body.Clone();
        altered[body.Length / 2] ^= 1;
        Assert.False(ForensicSignature.Verify(altered, Convert.FromBase64String(signature!), enrolledKey));

        var bundle = JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.ForensicBundle)!;
        Assert.Equal((ReleaseFactory.DeviceId, 42L), (bundle.DeviceId, bundle.RequestId));
        var items = bundle.Items.ToDictionary(i => i.Name, i => Encoding.UTF8.GetString(Convert.FromBase64String(i.Content)));
        Assert.Superset(
            new HashSet<string> { "logs/agent.log", "bootctl.json", "slots/a.sha256", "slots/b.sha256", "measurements.txt", "quotes.json", "agent/state.json", "agent/device.json" },
            items.Keys.ToHashSet());
        var osHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(world.Device, "slots", "a", "os.stage"))));
        Assert.Contains($"{osHash}  os.stage\n", items["slots/a.sha256"], StringComparison.Ordinal);
        Assert.Equal("# slot b holds no files\n", items["slots/b.sha256"]);
        Assert.Contains($"slot a now: {Measurements.Expected(world.Device, "a")} (boot chain verifies)", items["measurements.txt"], StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(world.Device, "bootctl.json")), items["bootctl.json"]);
        Assert.Contains("checked in (quoted slot a 1.0): nothing to do", items["logs/agent.log"], StringComparison.Ordinal);
        Assert.Contains(world.Server.Nonces.ElementAt(1), items["quotes.json"], StringComparison.Ordinal);
        var token = Convert.ToBase64String(world.Server.TokenSecret!);
        Assert.All(items.Values, v => Assert.DoesNotContain("PRIVATE KEY", v, StringComparison.Ordinal));
        Assert.All(items.Values, v => Assert.DoesNotContain(token, v, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("token")]
    [InlineData("private-key")]
    public async Task RunOnce_CollectWithSecretInLog_NotSentAndSaysWhy(string secret)
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        var leaked = secret == "token"
            ? await File.ReadAllTextAsync(Path.Combine(world.Device, "fleet", "token.secret"))
            : await File.ReadAllTextAsync(Path.Combine(world.Device, "keys", "device.key"));
        await File.AppendAllTextAsync(Path.Combine(world.Device, "logs", "agent.log"), "debug dump: " + leaked);
        world.Server.OrderCollect(5);

        var result = await world.RunOnceAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("forensic bundle 5 NOT sent: item logs/agent.log contains", result.Error, StringComparison.Ordinal);
        Assert.Contains(secret == "token" ? "the fleet token secret" : "PRIVATE KEY", result.Error, StringComparison.Ordinal);
        Assert.Empty(world.Server.Uploads);
    }

    [Fact]
    public async Task RunOnce_Wiped_CryptoErasesAndReenrollsAsNewIdentity()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        var keyPath = Path.Combine(world.Device, "keys", "device.key");
        var oldKey = await File.ReadAllTextAsync(keyPath);
        var oldSecret = world.Server.TokenSecret!;
        world.Server.Wiped = true;
        var before = world.Server.Requests.Count;

        var result = await world.RunOnceAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("the fleet wiped device gw-0001", result.Error, StringComparison.Ordinal);
        var lines = Lines(result.Output);
        string[] steps = ["wipe 1/5: started", "wipe 2/5: erased the fleet credentials", "wipe 3/5: cleared slots a and b", "wipe 4/5: destroyed the device key", "wipe 5/5: generated a new device key", "enrolled gw-0001 with", "checked in (no quote yet): nothing to do"];
        Assert.Equal(steps.Length, lines.Length);
        Assert.All(steps.Zip(lines), p => Assert.StartsWith(p.First, p.Second, StringComparison.Ordinal));
        Assert.Equal(
            [("/device/v1/checkin", 403), ("/device/v1/enroll", 200), ("/device/v1/checkin", 200)],
            world.Server.Requests.Skip(before).Select(r => (r.Path, r.Status)));

        // A new device key, a new certificate for it, a new token secret: a new fleet identity.
        Assert.Equal(2, world.Server.Enrollments.Count);
        Assert.NotEqual(EnrolledKeyPem(world, 0), EnrolledKeyPem(world, 1));
        Assert.NotEqual(oldKey, await File.ReadAllTextAsync(keyPath));
        Assert.Equal(world.Server.IssuedCertificates.Last(), await File.ReadAllTextAsync(Path.Combine(world.Device, "fleet", "cert.pem")));
        Assert.NotEqual(oldSecret, world.Server.TokenSecret);
        using (var issued = X509Certificate2.CreateFromPem(world.Server.IssuedCertificates.Last()))
        {
            Assert.Equal(issued.Thumbprint, world.Server.Requests.Last().ClientCertificate?.Thumbprint);
        }

        // Both slots cleared; the anti-rollback counter survives; nothing is pending.
        var control = ReleaseFactory.OpenDevice(world.Device).ReadBootControl();
        Assert.Equal((null, null, 1L, "wiped"), (control.Active, control.Booted, control.SecurityCounter, control.LastResult?.Outcome));
        Assert.All(BootControl.SlotNames, s => Assert.Equal(SlotState.Empty, control.Slots[s].State));
        Assert.All(BootControl.SlotNames, s => Assert.Empty(Directory.GetFiles(Path.Combine(world.Device, "slots", s))));
        Assert.False(File.Exists(Path.Combine(world.Device, "fleet", "wipe.pending")));
        Assert.Empty(State(world).GetProperty("recent_quotes").EnumerateArray());
        Assert.DoesNotContain("checked in (quoted slot a 1.0)", await File.ReadAllTextAsync(Path.Combine(world.Device, "logs", "agent.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_WipeCutShort_FinishedBeforeAnythingElse()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        var oldKey = await File.ReadAllTextAsync(Path.Combine(world.Device, "keys", "device.key"));

        // As if power was cut right after the wipe started: only the marker is written.
        await File.WriteAllTextAsync(Path.Combine(world.Device, "fleet", "wipe.pending"), "2026-01-01T00:00:00Z\n");
        var before = world.Server.Requests.Count;

        var result = await world.RunOnceAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("a wipe of device gw-0001 ordered by the fleet was cut short; finishing it first", result.Output, StringComparison.Ordinal);
        Assert.Contains("wipe 5/5", result.Output, StringComparison.Ordinal);
        Assert.Equal(["/device/v1/enroll", "/device/v1/checkin"], world.Server.Requests.Skip(before).Select(r => r.Path));
        Assert.NotEqual(oldKey, await File.ReadAllTextAsync(Path.Combine(world.Device, "keys", "device.key")));
        Assert.NotEqual(EnrolledKeyPem(world, 0), EnrolledKeyPem(world, 1));
    }

    private static string EnrolledKeyPem(FleetWorld world, int index) =>
        PemEncoding.WriteString("PUBLIC KEY", CertificateRequest.LoadSigningRequestPem(world.Server.Enrollments.ElementAt(index).Csr, HashAlgorithmName.SHA256).PublicKey.ExportSubjectPublicKeyInfo());

    private static JsonElement State(FleetWorld world) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(world.Device, "fleet", "state.json"))).RootElement.Clone();

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
