using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Agent.Fleet;
using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;
using Otter.Protocol.Device;
using Otter.Trust.Attestation;
using Otter.Trust.Keys;

namespace Otter.Agent.Tests.Fleet;

/// <summary>
/// <c>otter-agent run</c> against a small fleet server on a real Kestrel over real TLS: enroll,
/// check in, install what is assigned, report, attest; and what it must refuse.
/// </summary>
public sealed class FleetAgentTests
{
    [Fact]
    public async Task RunOnce_UpdateAssigned_EnrollsInstallsReportsInOrderAndAttests()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V2, "2.0");

        var result = await world.RunOnceAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                "enrolled gw-0001 with " + world.Server.BaseUri + ": fleet certificate stored, token secret stored",
                "checked in (no quote yet): update to fw-2.0.bin (2.0) assigned",
                "downloading fw-2.0.bin (2.0) from " + world.Server.RepoUrl,
                "installed fw-2.0.bin 2.0 (security counter 2) in slot a; log entry 1 of 2 verified",
                "booted slot a version 2.0: committed",
                "checked in (quoted slot a 2.0): nothing to do",
            ],
            Lines(result.Output));
        Assert.Equal(string.Empty, result.Error);

        // The device API calls in order, the later ones over mTLS with the fleet certificate just issued.
        Assert.Equal(
            ["/device/v1/enroll", "/device/v1/checkin", "/device/v1/reports", "/device/v1/reports", "/device/v1/reports", "/device/v1/checkin"],
            world.Server.Requests.Select(r => r.Path));
        var issued = Assert.Single(world.Server.IssuedCertificates);
        Assert.Equal(issued, await File.ReadAllTextAsync(Path.Combine(world.Device, "fleet", "cert.pem")));
        Assert.Null(world.Server.Requests.First().ClientCertificate);
        using (var fleetCertificate = X509Certificate2.CreateFromPem(issued))
        {
            Assert.All(world.Server.Requests.Skip(1), r => Assert.Equal(fleetCertificate.Thumbprint, r.ClientCertificate?.Thumbprint));
        }

        Assert.All(world.Server.Requests, r => Assert.Null(r.Authorization));
        Assert.Equal(
            [(ReportPhases.Downloading, "fw-2.0.bin", "2.0"), (ReportPhases.Installed, "fw-2.0.bin", "2.0"), (ReportPhases.Committed, "fw-2.0.bin", "2.0")],
            world.Server.Reports.Select(r => (r.Phase, r.Target!, r.Version!)));

        // First check-in: nothing booted, no nonce yet, so no quote. Second: the new version, quoted over the first nonce.
        var checkIns = world.Server.CheckIns.ToArray();
        Assert.Equal(2, checkIns.Length);
        Assert.Null(checkIns[0].Quote);
        Assert.Null(checkIns[0].BootedSlot);
        Assert.Equal("unknown", checkIns[0].Health);
        Assert.Equal("a", checkIns[1].ActiveSlot);
        Assert.Equal("a", checkIns[1].BootedSlot);
        Assert.Equal("healthy", checkIns[1].Health);
        Assert.Equal(2, checkIns[1].SecurityCounter);
        Assert.Equal(("good", "2.0", "fw-2.0.bin"), (checkIns[1].Slots["a"].State, checkIns[1].Slots["a"].Version, checkIns[1].Slots["a"].Target));
        Assert.Equal("empty", checkIns[1].Slots["b"].State);
        Assert.Equal("committed", checkIns[1].LastResult?.Outcome);

        var quote = checkIns[1].Quote!;
        var enrollment = Assert.Single(world.Server.Enrollments);
        var deviceKey = EcdsaP256.ToTufKeyFromPem(PemEncoding.WriteString("PUBLIC KEY", CertificateRequest.LoadSigningRequestPem(enrollment.Csr, HashAlgorithmName.SHA256).PublicKey.ExportSubjectPublicKeyInfo()));
        Assert.True(QuoteSigner.Verify(quote, deviceKey));
        Assert.Equal(world.Server.Nonces.First(), quote.Quote.Nonce);
        Assert.Equal(ReleaseFactory.DeviceId, quote.Quote.DeviceId);
        Assert.Equal(("a", "2.0", 2L), (quote.Quote.Slot, quote.Quote.Version, quote.Quote.SecurityCounter));
        Assert.Equal(Measurements.Expected(world.Device, "a"), quote.Quote.Measurement);
        Assert.Equal(Measurements.ManifestSha256(world.Device, "a"), quote.Quote.ManifestSha256);

        // The nonce the device will quote next time is the one the last check-in handed out.
        Assert.Contains(world.Server.Nonces.Last(), await File.ReadAllTextAsync(Path.Combine(world.Device, "fleet", "state.json")), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(world.Device, "fleet", "token.secret")));
        }
    }

    [Fact]
    public async Task RunOnce_NothingAssignedTwice_SecondCheckInQuotesTheFirstNonce()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);

        var again = await world.RunOnceAsync();

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(["checked in (quoted slot a 1.0): nothing to do"], Lines(again.Output));
        var nonces = world.Server.Nonces.ToArray();
        Assert.Equal(nonces[^2], world.Server.CheckIns.Last().Quote!.Quote.Nonce);
        Assert.Single(world.Server.Enrollments);
    }

    [Fact]
    public async Task RunOnce_StageThenUpdate_StagesWithoutBootingThenActivatesWithoutDownloading()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        world.Server.AssignStage(ReleaseFactory.V2, "2.0");

        var staged = await world.RunOnceAsync();

        Assert.True(staged.ExitCode == 0, staged.ToString());
        Assert.Contains("staged fw-2.0.bin 2.0 (security counter 2) in slot b, not activated;", staged.Output, StringComparison.Ordinal);
        var control = ReleaseFactory.OpenDevice(world.Device).ReadBootControl();
        Assert.Equal(("a", "a", (TrialBoot?)null, 1L), (control.Active, control.Booted, control.Trial, control.SecurityCounter));
        Assert.Equal((SlotState.Staged, "fw-2.0.bin"), (control.Slots["b"].State, control.Slots["b"].Target));
        Assert.Equal(
            [(ReportPhases.Downloading, "fw-2.0.bin"), (ReportPhases.Installed, "fw-2.0.bin")],
            world.Server.Reports.Skip(3).Select(r => (r.Phase, r.Target!)));

        // A staged slot never boots on its own, not even when the running one fails.
        var boot = new Otter.Agent.Boot.BootLoader(ReleaseFactory.OpenDevice(world.Device), new Otter.Agent.Health.ProbeHealthChecker(), TimeProvider.System).Boot();
        Assert.Equal(("a", "1.0"), (boot.Slot, boot.Version));

        // Activation downloads nothing: with the bundle gone from the repository it still works,
        // because TUF and the log are checked again and the slot's bytes are the staged ones.
        var bundles = Directory.GetFiles(Path.Combine(world.Factory.Repo, "targets"), "*" + ReleaseFactory.V2);
        Assert.NotEmpty(bundles);
        foreach (var file in bundles)
        {
            File.Delete(file);
        }

        world.Server.AssignUpdate(ReleaseFactory.V2, "2.0");
        var activated = await world.RunOnceAsync();

        Assert.True(activated.ExitCode == 0, activated.ToString());
        Assert.Contains("activated fw-2.0.bin 2.0 staged in slot b;", activated.Output, StringComparison.Ordinal);
        Assert.Contains("booted slot b version 2.0: committed", activated.Output, StringComparison.Ordinal);
        control = ReleaseFactory.OpenDevice(world.Device).ReadBootControl();
        Assert.Equal(("b", SlotState.Good, 2L), (control.Active, control.Slots["b"].State, control.SecurityCounter));
    }

    [Fact]
    public async Task RunOnce_StagedSlotAlteredOnDisk_DownloadsAgainInsteadOfActivating()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        world.Server.AssignStage(ReleaseFactory.V2, "2.0");
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        var platform = ReleaseFactory.OpenDevice(world.Device);
        var manifest = platform.ReadManifest("b")!;
        manifest[^2] ^= 0x01;
        platform.WriteManifest("b", manifest);

        world.Server.AssignUpdate(ReleaseFactory.V2, "2.0");
        var result = await world.RunOnceAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("installed fw-2.0.bin 2.0 (security counter 2) in slot b;", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("activated", result.Output, StringComparison.Ordinal);
        Assert.Contains("booted slot b version 2.0: committed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_AssignedReleaseMissingFromTheRepository_ReportsFailedAndExit1()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate("fw-9.9.bin", "9.9");

        var result = await world.RunOnceAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("update to fw-9.9.bin (9.9) refused:", result.Error, StringComparison.Ordinal);
        Assert.Equal([ReportPhases.Downloading, ReportPhases.Failed], world.Server.Reports.Select(r => r.Phase));
        Assert.Contains("fw-9.9.bin", world.Server.Reports.Last().Detail, StringComparison.Ordinal);
        Assert.Equal(2, world.Server.CheckIns.Count);
        Assert.All(ReleaseFactory.OpenDevice(world.Device).ReadBootControl().Slots.Values, s => Assert.Equal(SlotState.Empty, s.State));
    }

    [Fact]
    public async Task RunOnce_ServerCertificateFromAnotherCa_RefusedBeforeAnyRequest()
    {
        await using var world = await FleetWorld.StartAsync((_, stranger) => stranger.IssueServer("127.0.0.1", "localhost"));

        var result = await world.RunOnceAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("otter-agent: cannot connect securely to " + world.Server.BaseUri, result.Error, StringComparison.Ordinal);
        Assert.Contains("fleet/ca.pem", result.Error, StringComparison.Ordinal);
        Assert.Empty(world.Server.Requests);
        Assert.False(File.Exists(Path.Combine(world.Device, "fleet", "cert.pem")));
    }

    [Fact]
    public async Task RunOnce_ServerCertificateForAnotherName_RefusedBeforeAnyRequest()
    {
        await using var world = await FleetWorld.StartAsync((fleet, _) => fleet.IssueServer("fleet.example.com"));

        var result = await world.RunOnceAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot connect securely", result.Error, StringComparison.Ordinal);
        Assert.Empty(world.Server.Requests);
    }

    [Fact]
    public async Task RunOnce_Token_SendsAVerifiableTokenAndNoClientCertificate()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");

        var result = await world.RunOnceAsync("--token");

        Assert.True(result.ExitCode == 0, result.ToString());
        var authenticated = world.Server.Requests.Where(r => r.Path != "/device/v1/enroll").ToList();
        Assert.Equal(5, authenticated.Count);
        Assert.All(authenticated, r => Assert.Null(r.ClientCertificate));
        Assert.All(authenticated, r => Assert.True(r.TokenValid));
        var token = DeviceToken.TryParse(authenticated[0].Authorization)!;
        Assert.Equal(ReleaseFactory.DeviceId, token.DeviceId);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - token.Timestamp, -5, 120);
        Assert.Equal(authenticated.Count, authenticated.Select(r => DeviceToken.TryParse(r.Authorization)!.Nonce).Distinct().Count());
        Assert.Equal(Convert.ToBase64String(world.Server.TokenSecret!), (await File.ReadAllTextAsync(Path.Combine(world.Device, "fleet", "token.secret"))).Trim());
    }

    [Fact]
    public async Task RunOnce_TokenWithAWrongSecret_Exit1WithTheServersDetail()
    {
        await using var world = await FleetWorld.StartAsync();
        Assert.Equal(0, (await world.RunOnceAsync()).ExitCode);
        await File.WriteAllTextAsync(Path.Combine(world.Device, "fleet", "token.secret"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");

        var result = await world.RunOnceAsync("--token");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "otter-agent: the server answered 401 Unauthorized to /device/v1/checkin: a client certificate or a valid device token is required",
            result.Error.Trim());
        Assert.False(world.Server.Requests.Last().TokenValid);
    }

    [Fact]
    public async Task RunOnce_EnrollmentPending_Exit1WithClearMessageAndNoCertificate()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.PendingEnrollments = int.MaxValue;

        var result = await world.RunOnceAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("otter-agent: the enrollment of gw-0001 is pending: an operator must approve the device on the server; run again once it is approved.", result.Error.Trim());
        Assert.Equal(["/device/v1/enroll"], world.Server.Requests.Select(r => r.Path));
        Assert.False(File.Exists(Path.Combine(world.Device, "fleet", "cert.pem")));
    }

    [Fact]
    public async Task RunOnce_EnrollmentConflict_Exit1WithTheServersDetail()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.RefuseEnrollment = true;

        var result = await world.RunOnceAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the server refused to enroll gw-0001", result.Error, StringComparison.Ordinal);
        Assert.Contains("409", result.Error, StringComparison.Ordinal);
        Assert.Contains("gw-0001 is already enrolled with another device key", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(world.Device, "fleet", "cert.pem")));
    }

    [Fact]
    public async Task RunOnce_CheckInThrottled_Exit1SayingWhenToRetry()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.ThrottleCheckIns(1, 30);

        var result = await world.RunOnceAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("429", result.Error, StringComparison.Ordinal);
        Assert.Contains("this device checks in too often (retry after 30 s)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CheckInThrottled_WaitsRetryAfterThenChecksInAndStopsCleanly()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.ThrottleCheckIns(1, 2);
        using var stop = new CancellationTokenSource();

        var daemon = AgentRunner.RunAsync(["run", "--device", world.Device, "--server", world.Server.BaseUri.AbsoluteUri, "--interval", "3600"], stop.Token);
        var deadline = Stopwatch.StartNew();
        while (world.Server.CheckIns.IsEmpty && deadline.Elapsed < TimeSpan.FromSeconds(60) && !daemon.IsCompleted)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        var result = await daemon;

        Assert.True(result.ExitCode == 0, result.ToString());
        var checkIns = world.Server.Requests.Where(r => r.Path == "/device/v1/checkin").ToList();
        Assert.Equal([429, 200], checkIns.Select(r => r.Status));
        Assert.True(Stopwatch.GetElapsedTime(checkIns[0].ArrivedAt, checkIns[1].ArrivedAt) >= TimeSpan.FromSeconds(1.9));
        Assert.Contains("the server asked to wait; next try in 2 s", result.Output, StringComparison.Ordinal);
        Assert.EndsWith("device gw-0001: stopped", result.Output.Trim(), StringComparison.Ordinal);
    }

    [RequiresExecutablesFact("kill")]
    public async Task Run_ProcessGetsSigterm_StopsCleanlyWithExit0()
    {
        await using var world = await FleetWorld.StartAsync();
        using var child = AgentProcess.Start("run", "--device", world.Device, "--server", world.Server.BaseUri.AbsoluteUri, "--interval", "3600");
        var deadline = Stopwatch.StartNew();
        while (world.Server.CheckIns.IsEmpty && deadline.Elapsed < TimeSpan.FromSeconds(60) && !child.Process.HasExited)
        {
            await Task.Delay(50);
        }

        ProcessRunner.Run("kill", ["-TERM", child.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var result = await child.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(world.Server.CheckIns);
        Assert.EndsWith("device gw-0001: stopped", result.Output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EnrollmentPendingTwice_RetriesWithGrowingBackoffThenEnrolls()
    {
        await using var world = await FleetWorld.StartAsync();
        world.Server.PendingEnrollments = 2;
        using var output = new StringWriter();
        using var error = new StringWriter();
        var options = new FleetAgentOptions { Server = world.Server.BaseUri, Interval = TimeSpan.FromHours(1), RetryBase = TimeSpan.FromMilliseconds(300), RetryCap = TimeSpan.FromSeconds(10) };
        using var agent = FleetAgent.Open(world.Device, ReleaseFactory.Passphrases, options, TimeProvider.System, output, error);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var daemon = agent.RunAsync(stop.Token);
        while (world.Server.CheckIns.IsEmpty && !stop.IsCancellationRequested)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await daemon;

        var enrollments = world.Server.Requests.Where(r => r.Path == "/device/v1/enroll").ToList();
        Assert.Equal([202, 202, 200], enrollments.Select(r => r.Status));
        Assert.True(Stopwatch.GetElapsedTime(enrollments[0].ArrivedAt, enrollments[1].ArrivedAt) >= TimeSpan.FromMilliseconds(270));
        Assert.True(Stopwatch.GetElapsedTime(enrollments[1].ArrivedAt, enrollments[2].ArrivedAt) >= TimeSpan.FromMilliseconds(540));
        Assert.Contains("cycle failed (1 in a row); next try in 0.", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("cycle failed (2 in a row); next try in 0.", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("checked in (no quote yet): nothing to do", output.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(world.Device, "fleet", "cert.pem")));
    }

    [Fact]
    public async Task RunOnce_AnotherAgentHoldsTheDevice_Exit1AndNothingSent()
    {
        await using var world = await FleetWorld.StartAsync();
        using var held = DeviceLock.Acquire(world.Device);

        var result = await world.RunOnceAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("another otter-agent is installing or booting", result.Error, StringComparison.Ordinal);
        Assert.Empty(world.Server.Requests);
    }

    [Fact]
    public async Task Run_DeviceWithoutFleetCa_Exit2SayingHowToProvision()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var offline = world.Factory.Combine("offline-device");
        Assert.Equal(0, (await world.ProvisionAsync(offline, "--trusted-root", world.Factory.TrustedRoot, "--log-key", world.Factory.LogPublicKey, "--log-origin", ReleaseFactory.LogOrigin, "--factory-ca", world.DevFactory)).ExitCode);

        var result = await AgentRunner.RunAsync("run", "--device", offline, "--server", world.Server.BaseUri.AbsoluteUri, "--once");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no fleet CA", result.Error, StringComparison.Ordinal);
        Assert.Contains("--trust DIR or --server-ca FILE", result.Error, StringComparison.Ordinal);
        Assert.Empty(world.Server.Requests);
    }

    [Fact]
    public async Task Run_DeviceWithoutFactoryIdentity_Exit2SayingHowToProvision()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var device = world.Factory.Combine("no-factory");
        Assert.Equal(0, (await world.ProvisionAsync(device, "--trust", world.TrustDirectory)).ExitCode);

        var result = await AgentRunner.RunAsync("run", "--device", device, "--server", world.Server.BaseUri.AbsoluteUri, "--once");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no factory identity", result.Error, StringComparison.Ordinal);
        Assert.Empty(world.Server.Requests);
    }

    [Theory]
    [InlineData("--server", "http://127.0.0.1:8444/")]
    [InlineData("--server", "not a url")]
    [InlineData("--interval", "0")]
    public async Task Run_BadArguments_Exit2(string option, string value)
    {
        await using var world = await FleetWorld.StartAsync();
        var args = new Dictionary<string, string>(StringComparer.Ordinal) { ["--device"] = world.Device, ["--server"] = world.Server.BaseUri.AbsoluteUri, [option] = value };

        var result = await AgentRunner.RunAsync(["run", "--once", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(option, result.Error, StringComparison.Ordinal);
        Assert.Empty(world.Server.Requests);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
