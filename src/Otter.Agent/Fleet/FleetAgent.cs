using System.Globalization;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Otter.Agent.Boot;
using Otter.Agent.Health;
using Otter.Agent.Platform;
using Otter.Agent.Transport;
using Otter.Agent.Update;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Protocol.Incidents;
using Otter.Trust;
using Otter.Trust.Keys;

namespace Otter.Agent.Fleet;

/// <summary>
/// The device's side of a fleet server. One cycle: enroll when the device has no fleet
/// certificate yet; check in; when an update is assigned, report <c>downloading</c>, install it
/// (TUF and the log decide, not the server), report <c>installed</c> or <c>failed</c>, reboot
/// into it, report <c>committed</c> or <c>rolled-back</c>, and check in again so the server sees
/// the new version and a fresh quote. The daemon repeats cycles until cancelled. Every step
/// prints one line (also kept in the device's agent log); the device lock is held for the whole of a cycle.
/// Incident response: a device the server quarantined (403 <see cref="DeviceProblemTypes.Quarantined"/>)
/// checks in at the remediation check-in until released, and carries out its orders there — a
/// forced re-image of both slots, a signed forensic bundle; a device the server wiped
/// (403 <see cref="DeviceProblemTypes.Wiped"/>) crypto-erases and enrolls again as a new fleet identity.
/// </summary>
internal sealed class FleetAgent : IDisposable
{
    /// <summary>Remediation orders carried out in one cycle at most (each is followed by a check-in).</summary>
    private const int MaxOrdersPerCycle = 3;

    /// <summary>Quotes kept for forensics.</summary>
    private const int RecentQuotes = 10;

    private readonly Func<IDisposable> _lock;
    private readonly IDeviceStorage _storage;
    private readonly IPassphraseSource _passphrases;
    private readonly IDevicePlatform _platform;
    private readonly FleetStore _store;
    private readonly X509Certificate2Collection _fleetCa;
    private readonly FleetAgentOptions _options;
    private readonly TimeProvider _time;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly IHealthChecker _health;
    private readonly Func<HttpMessageHandler, HttpMessageHandler>? _transport;
    private DeviceApiClient? _api;
    private bool _reportFailed;
    private TimeSpan? _retryAfter;

    private FleetAgent(FleetAgentParts parts, IPassphraseSource passphrases, FleetStore store, X509Certificate2Collection fleetCa, FleetAgentOptions options, TimeProvider time, TextWriter output, TextWriter error)
    {
        _lock = parts.Lock;
        _storage = parts.Storage;
        _passphrases = passphrases;
        _platform = parts.Platform;
        _health = parts.Health;
        _transport = parts.Transport;
        _store = store;
        _fleetCa = fleetCa;
        _options = options;
        _time = time;
        _output = output;
        _error = error;
    }

    /// <summary>Opens the device in <paramref name="directory"/> for fleet cycles.</summary>
    /// <exception cref="AgentException">
    /// The device cannot talk to a fleet server as provisioned (no fleet CA; no factory identity
    /// to enroll with; --token without a token secret); no retry would help.
    /// </exception>
    public static FleetAgent Open(string directory, IPassphraseSource passphrases, FleetAgentOptions options, TimeProvider time, TextWriter output, TextWriter error)
    {
        var storage = new DirectoryDeviceStorage(directory);
        var parts = new FleetAgentParts
        {
            Storage = storage,
            Platform = new SimulatedDevicePlatform(storage, passphrases),
            Lock = () => DeviceLock.Acquire(directory),
        };

        // The agent log lives in the device folder (the simulator's in-memory devices keep none).
        return Open(parts, passphrases, options, time, new DeviceLogWriter(output, storage, time, "out"), new DeviceLogWriter(error, storage, time, "err"));
    }

    /// <summary>Opens a device made of <paramref name="parts"/> (the fleet simulator's in-memory devices) for fleet cycles.</summary>
    /// <exception cref="AgentException">As <see cref="Open(string, IPassphraseSource, FleetAgentOptions, TimeProvider, TextWriter, TextWriter)"/>.</exception>
    public static FleetAgent Open(FleetAgentParts parts, IPassphraseSource passphrases, FleetAgentOptions options, TimeProvider time, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Server.Scheme != Uri.UriSchemeHttps)
        {
            throw new AgentException($"--server {options.Server} is not an https URL; the device API is served over HTTPS only.");
        }

        var platform = parts.Platform;
        var storage = parts.Storage;
        var store = new FleetStore(parts.Storage, passphrases, parts.FactoryKey);
        var fleetCa = store.ReadServerCa();
        if ((!store.IsEnrolled || storage.Exists(DevicePaths.WipePending)) && (platform.Identity.FactoryCertificate is null || platform.Identity.FactoryKey is null))
        {
            throw new AgentException($"device {platform.Identity.Id} is not enrolled and has no factory identity to enroll with; provision it with --factory-ca DIR or --factory-cert PEM --factory-key KEY.");
        }

        if (options.UseToken && store.IsEnrolled && !store.HasTokenSecret && !storage.Exists(DevicePaths.WipePending))
        {
            throw new AgentException($"--token: the server issued device {platform.Identity.Id} no token secret ({DevicePaths.FleetTokenSecret}); run without --token to use the fleet certificate.");
        }

        return new FleetAgent(parts, passphrases, store, fleetCa, options, time, output, error);
    }

    /// <summary>Runs one cycle; every failure is printed and ends the cycle, none is thrown (except cancellation).</summary>
    public async Task<FleetCycleResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        _reportFailed = false;
        _retryAfter = null;
        try
        {
            using var deviceLock = _lock();
            if (_storage.Exists(DevicePaths.WipePending))
            {
                _output.WriteLine($"a wipe of device {_platform.Identity.Id} ordered by the fleet was cut short; finishing it first");
                if (!Wipe())
                {
                    return new FleetCycleResult(false);
                }
            }

            if (!_store.IsEnrolled && !await EnrollAsync(cancellationToken))
            {
                return new FleetCycleResult(false);
            }

            // One client for the life of the agent: the daemon keeps its connection, and opens the key once.
            var api = _api ??= OpenApi();
            try
            {
                return await CycleAsync(api, cancellationToken);
            }
            catch (DeviceApiException ex) when (ex.IsWiped)
            {
                Fail($"the fleet wiped device {_platform.Identity.Id}: {ex.Message}");
                if (!Wipe() || !await EnrollAsync(cancellationToken))
                {
                    return new FleetCycleResult(false);
                }

                return await CycleAsync(_api ??= OpenApi(), cancellationToken);
            }
        }
        catch (Exception ex) when (IsCycleFailure(ex, cancellationToken))
        {
            Fail(Describe(ex));
            return new FleetCycleResult(false, (ex as DeviceApiException)?.RetryAfter ?? _retryAfter);
        }
    }

    /// <summary>Runs cycles until <paramref name="cancellationToken"/> is cancelled: every interval (±10%) after success, with capped exponential backoff after failures, and never sooner than the server's <c>Retry-After</c>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _output.WriteLine($"device {_platform.Identity.Id}: a cycle with {_options.Server} every {Seconds(_options.Interval)} s; stop with Ctrl-C");
        var failures = 0;
        try
        {
            while (true)
            {
                var result = await RunOnceAsync(cancellationToken);
                TimeSpan wait;
                if (result.Succeeded)
                {
                    failures = 0;
                    var next = result.NextCheckIn > _options.Interval ? result.NextCheckIn.Value : _options.Interval;
                    wait = Jitter(next);
                }
                else
                {
                    failures++;
                    wait = result.RetryAfter ?? Jitter(Backoff(failures));
                    _output.WriteLine(result.RetryAfter is null
                        ? $"cycle failed ({failures} in a row); next try in {Seconds(wait)} s"
                        : $"the server asked to wait; next try in {Seconds(wait)} s");
                }

                await Task.Delay(wait, _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _output.WriteLine($"device {_platform.Identity.Id}: stopped");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _api?.Dispose();
        foreach (var certificate in _fleetCa)
        {
            certificate.Dispose();
        }
    }

    private async Task<FleetCycleResult> CycleAsync(DeviceApiClient api, CancellationToken cancellationToken)
    {
        var response = await CheckInAsync(api, cancellationToken);
        var succeeded = true;
        switch (response.Action)
        {
            case DeviceActions.None:
                break;
            case DeviceActions.Update:
                succeeded = await UpdateAsync(api, response.Update!, cancellationToken);
                response = await CheckInAsync(api, cancellationToken);
                break;
            case DeviceActions.Stage:
                succeeded = await StageAsync(api, response.Update!, cancellationToken);
                break;
            case DeviceActions.Reimage or DeviceActions.Collect:
                (succeeded, response) = await RemediateAsync(api, response, cancellationToken);
                break;
            default:
                Fail($"the server asks for `{response.Action}`, which this agent does not know; nothing done.");
                succeeded = false;
                break;
        }

        // A server's wish is honoured up to a day, so that a bad value cannot silence the device.
        return new FleetCycleResult(succeeded && !_reportFailed, _retryAfter, TimeSpan.FromSeconds(Math.Clamp(response.NextCheckInSeconds, 0, 86400)));
    }

    /// <summary>
    /// Carries out remediation orders (collect, re-image), checking in after each so that the server
    /// sees the result and can give the next (it asks for evidence before it re-images); stops at the
    /// first failure, which the next cycle retries.
    /// </summary>
    private async Task<(bool Succeeded, CheckInResponse Last)> RemediateAsync(DeviceApiClient api, CheckInResponse response, CancellationToken cancellationToken)
    {
        for (var handled = 0; handled < MaxOrdersPerCycle && response.Action is DeviceActions.Reimage or DeviceActions.Collect; handled++)
        {
            var ok = response.Action == DeviceActions.Reimage
                ? await ReimageAsync(api, response.Update!, cancellationToken)
                : await CollectAsync(api, response.Collect!.RequestId, cancellationToken);
            response = await CheckInAsync(api, cancellationToken);
            if (!ok)
            {
                return (false, response);
            }
        }

        return (true, response);
    }

    /// <summary>
    /// Forced re-image: the known-good release into the inactive slot, trial boot and commit; then
    /// the same into the other slot, trial boot and commit, so that both slots hold it and no copy of
    /// what they held survives. Each write goes through TUF, the log, anti-rollback, the boot chain
    /// and the health checks exactly like an update; nothing is taken from a staged copy.
    /// </summary>
    private async Task<bool> ReimageAsync(DeviceApiClient api, UpdateAction update, CancellationToken cancellationToken)
    {
        var target = update.Target;
        if (UpdateUri(api, update.RepositoryUrl, "repository", out var repository) is { } badRepository)
        {
            return await RefuseAsync(api, update, badRepository, cancellationToken, remediation: true);
        }

        if (UpdateUri(api, update.LogUrl, "log", out var log) is { } badLog)
        {
            return await RefuseAsync(api, update, badLog, cancellationToken, remediation: true);
        }

        _output.WriteLine($"re-image ordered: {target} ({update.Version}) into both slots, each verified (TUF, log, boot chain, health checks)");
        for (var pass = 1; pass <= 2; pass++)
        {
            var installed = await WriteSlotAsync(api, update, repository, log, activate: true, cancellationToken, reimage: true);
            if (installed is null)
            {
                return false;
            }

            var step = $"slot {installed.Slot} ({pass} of 2)";
            _output.WriteLine($"re-imaged {step} with {installed.Target} {installed.Version} (security counter {installed.SecurityCounter}); log entry {installed.LogIndex} of {installed.LogSize} verified");
            await ReportAsync(api, ReportPhases.Installed, target, installed.Version, $"{step} written for a trial boot", cancellationToken, remediation: true);
            var boot = new BootLoader(_platform, _health, _time).Boot();
            if (boot.Outcome != "committed" || boot.Slot != installed.Slot)
            {
                var why = boot.Detail ?? boot.Outcome;
                Fail($"re-image of {step} with {target} {installed.Version} did not commit ({boot.Outcome}: {why}); slot {boot.Slot ?? "-"} runs {boot.Version ?? "nothing"}.");
                await ReportAsync(api, ReportPhases.RolledBack, target, installed.Version, $"{step}: {why}", cancellationToken, remediation: true);
                return false;
            }

            _output.WriteLine($"booted slot {boot.Slot} version {boot.Version}: committed");
            await ReportAsync(api, ReportPhases.Committed, target, installed.Version, $"{step}: boot chain verified and health checks passed", cancellationToken, remediation: true);
        }

        var control = _platform.ReadBootControl();
        if (BootControl.SlotNames.Any(s => control.Slots[s] is not { State: SlotState.Good } slot || slot.Target != target))
        {
            Fail($"after the re-image the slots do not both hold {target}; the server will order it again.");
            return false;
        }

        _output.WriteLine($"re-image done: slots a and b both run {target} ({control.Slots[control.Active!].Version}); nothing of the previous images is left");
        return true;
    }

    /// <summary>
    /// Forensic collection: builds the bundle, refuses to send it when it holds a secret, signs the
    /// exact bytes with the device key and uploads them; the server's custody record must show the same SHA-256.
    /// </summary>
    private async Task<bool> CollectAsync(DeviceApiClient api, long requestId, CancellationToken cancellationToken)
    {
        _output.WriteLine($"forensic collection ordered (request {requestId}): logs, boot control, slot hashes, measurements, recent quotes, agent state");
        var bundle = ForensicCollector.Collect(_platform, _storage, requestId, _time.GetUtcNow());
        if (ForensicCollector.FindSecret(bundle, _storage) is { } secret)
        {
            Fail($"forensic bundle {requestId} NOT sent: {secret}; a device never sends its secrets. Remove the secret from that file and the next check-in collects again.");
            return false;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(bundle, ProtocolJsonContext.Default.ForensicBundle);
        byte[] signature;
        using (var key = _platform.OpenDeviceEcdsa())
        {
            signature = ForensicSignature.Sign(bytes, key);
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        EvidenceView custody;
        try
        {
            custody = await api.UploadForensicsAsync(requestId, bytes, signature, cancellationToken);
        }
        catch (DeviceApiException ex) when (!ex.IsWiped)
        {
            Fail($"forensic bundle {requestId} was refused: {ex.Message}");
            return false;
        }

        if (custody.Sha256 != sha256)
        {
            Fail($"the server recorded forensic bundle {requestId} with SHA-256 {custody.Sha256 ?? "none"}, not the {sha256} sent; the custody record does not match the evidence.");
            return false;
        }

        _output.WriteLine($"uploaded forensic bundle {requestId}: {bundle.Items.Count} items, {bytes.Length} bytes, SHA-256 {sha256}, signed with the device key; the server stored it");
        return true;
    }

    /// <summary>Crypto-erases the device (<see cref="DeviceWipe"/>); the next enrollment makes it a new fleet identity. False when it could not finish (it stays pending).</summary>
    private bool Wipe()
    {
        _api?.Dispose();
        _api = null;
        try
        {
            DeviceWipe.Erase(_platform, _storage, _passphrases, _time, _output);
            return true;
        }
        catch (AgentException ex)
        {
            Fail($"the wipe is not finished: {ex.Message}");
            return false;
        }
    }

    private async Task<bool> EnrollAsync(CancellationToken cancellationToken)
    {
        var id = _platform.Identity.Id;
        var request = FleetEnrollment.CreateRequest(_platform, _store);
        using var api = new DeviceApiClient(_options.Server, _fleetCa, clientCertificate: null, token: null, _time, _transport);
        EnrollResponse response;
        try
        {
            response = await api.EnrollAsync(request, cancellationToken);
        }
        catch (DeviceApiException ex) when (ex.Status == HttpStatusCode.Conflict)
        {
            Fail($"the server refused to enroll {id}: {ex.Message}");
            return false;
        }

        switch (response.Status)
        {
            case EnrollmentStatus.Approved:
                var certificate = response.Certificate
                    ?? throw new DeviceApiException($"the server approved {id} but sent no fleet certificate; the enrollment cannot complete.");
                _store.StoreEnrollment(_platform, certificate, response.TokenSecret);
                _output.WriteLine($"enrolled {id} with {_options.Server}: fleet certificate stored{(response.TokenSecret is null ? string.Empty : ", token secret stored")}");
                return true;
            case EnrollmentStatus.Pending:
                Fail($"the enrollment of {id} is pending: an operator must approve the device on the server; run again once it is approved.");
                return false;
            default:
                throw new DeviceApiException($"the server answered the enrollment of {id} with status \"{response.Status}\", which this agent does not know.");
        }
    }

    private DeviceApiClient OpenApi()
    {
        if (_options.UseToken)
        {
            return new DeviceApiClient(_options.Server, _fleetCa, clientCertificate: null, new DeviceTokenCredential(_platform.Identity.Id, _store.ReadTokenSecret()), _time, _transport);
        }

        var certificate = _store.OpenClientCertificate(_platform);
        try
        {
            return new DeviceApiClient(_options.Server, _fleetCa, certificate, token: null, _time, _transport);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks in with the boot state and a quote over the last nonce; when the server answers that the
    /// device is quarantined, the same check-in goes to the remediation check-in, which answers
    /// remediation orders only. The normal check-in is tried first every time, so the device learns
    /// of its release as soon as the server answers it again.
    /// </summary>
    private async Task<CheckInResponse> CheckInAsync(DeviceApiClient api, CancellationToken cancellationToken)
    {
        var state = _store.ReadState();
        var nonce = state.AttestationNonce;
        var control = _platform.ReadBootControl();
        var quote = DeviceAttestation.IsValidNonce(nonce) ? DeviceAttestation.TryQuote(_platform, nonce!) : null;
        if (quote is not null && control.Measurement is { } booted && quote.Quote.Measurement != booted)
        {
            Fail($"slot {quote.Quote.Slot} no longer measures as it did at boot (register {quote.Quote.Measurement[..16]}…, was {booted[..Math.Min(16, booted.Length)]}…): its images changed on disk; the quote says so.");
        }

        var request = CheckInRequests.From(control, quote);
        CheckInResponse response;
        var quarantined = false;
        try
        {
            response = await api.CheckInAsync(request, cancellationToken);
        }
        catch (DeviceApiException ex) when (ex.IsQuarantined)
        {
            quarantined = true;
            if (!state.Quarantined)
            {
                Fail($"device {_platform.Identity.Id} is QUARANTINED by the fleet ({ex.Message}); from now on it checks in at /{DeviceApiClient.RemediationCheckInPath} for remediation orders only, until the fleet releases it.");
            }

            response = await api.RemediationCheckInAsync(request, cancellationToken);
        }

        if (!DeviceAttestation.IsValidNonce(response.AttestationNonce))
        {
            throw new DeviceApiException("the server's check-in answer carries an attestation nonce that is not 8 to 64 bytes of hex; the device cannot quote it.");
        }

        if (quarantined && response.Action is not (DeviceActions.None or DeviceActions.Reimage or DeviceActions.Collect))
        {
            throw new DeviceApiException($"the server's remediation check-in answer says `{response.Action}`; a quarantined device takes only `none`, `reimage` or `collect`. Nothing done.");
        }

        if (response.Action is DeviceActions.Update or DeviceActions.Stage or DeviceActions.Reimage && response.Update is null)
        {
            throw new DeviceApiException($"the server's check-in answer says `{response.Action}` but names no update.");
        }

        if (response.Action == DeviceActions.Collect && response.Collect is not { RequestId: > 0 })
        {
            throw new DeviceApiException("the server's check-in answer says `collect` but names no forensic request.");
        }

        _store.WriteState(new FleetState
        {
            AttestationNonce = response.AttestationNonce,
            LastCheckIn = _time.GetUtcNow(),
            Quarantined = quarantined,
            RecentQuotes = quote is null ? state.RecentQuotes : [.. state.RecentQuotes.TakeLast(RecentQuotes - 1), quote],
        });

        if (state.Quarantined && !quarantined)
        {
            _output.WriteLine($"released from quarantine: the fleet answers device {_platform.Identity.Id}'s normal check-in again");
        }

        var attested = quote is null ? "no quote yet" : $"quoted slot {quote.Quote.Slot} {quote.Quote.Version}";
        var where = quarantined ? "checked in at the remediation check-in" : "checked in";
        _output.WriteLine(response.Action switch
        {
            DeviceActions.None => $"{where} ({attested}): nothing to do" + (quarantined ? " (still quarantined)" : string.Empty),
            DeviceActions.Update => $"{where} ({attested}): update to {response.Update!.Target} ({response.Update.Version}) assigned",
            DeviceActions.Stage => $"{where} ({attested}): download-only {response.Update!.Target} ({response.Update.Version}) assigned",
            DeviceActions.Reimage => $"{where} ({attested}): forced re-image to {response.Update!.Target} ({response.Update.Version}) ordered",
            DeviceActions.Collect => $"{where} ({attested}): forensic bundle {response.Collect!.RequestId} requested",
            _ => $"{where} ({attested}): the server asks for `{response.Action}`",
        });
        return response;
    }

    private async Task<bool> UpdateAsync(DeviceApiClient api, UpdateAction update, CancellationToken cancellationToken)
    {
        var target = update.Target;
        if (UpdateUri(api, update.RepositoryUrl, "repository", out var repository) is { } badRepository)
        {
            return await RefuseAsync(api, update, badRepository, cancellationToken);
        }

        if (UpdateUri(api, update.LogUrl, "log", out var log) is { } badLog)
        {
            return await RefuseAsync(api, update, badLog, cancellationToken);
        }

        var control = _platform.ReadBootControl();
        if (control.Booted is { } booted && booted == control.Active && control.Slots[booted] is { State: SlotState.Good } running && running.Target == target)
        {
            // The server has not seen the last commit yet; installing again would only churn the slots.
            _output.WriteLine($"{target} ({running.Version}) already runs in slot {booted}; nothing to install");
            await ReportAsync(api, ReportPhases.Committed, target, running.Version, $"already installed and running in slot {booted}", cancellationToken);
            return true;
        }

        var installed = await WriteSlotAsync(api, update, repository, log, activate: true, cancellationToken);
        if (installed is null)
        {
            return false;
        }

        _output.WriteLine(installed.Reused
            ? $"activated {installed.Target} {installed.Version} staged in slot {installed.Slot}; TUF and log entry {installed.LogIndex} of {installed.LogSize} verified again"
            : $"installed {installed.Target} {installed.Version} (security counter {installed.SecurityCounter}) in slot {installed.Slot}; log entry {installed.LogIndex} of {installed.LogSize} verified");
        await ReportAsync(api, ReportPhases.Installed, target, installed.Version, $"staged in slot {installed.Slot} for a trial boot", cancellationToken);

        var boot = new BootLoader(_platform, _health, _time).Boot();
        if (boot.Outcome == "committed" && boot.Slot == installed.Slot)
        {
            _output.WriteLine($"booted slot {boot.Slot} version {boot.Version}: committed");
            await ReportAsync(api, ReportPhases.Committed, target, installed.Version, "boot chain verified and health checks passed", cancellationToken);
            return true;
        }

        var why = boot.Detail ?? boot.Outcome;
        Fail($"{target} {installed.Version} did not commit ({boot.Outcome}: {why}); slot {boot.Slot ?? "-"} runs {boot.Version ?? "nothing"}.");
        await ReportAsync(api, ReportPhases.RolledBack, target, installed.Version, why, cancellationToken);
        return false;
    }

    /// <summary>Download-only: verify and write the release into the inactive slot, report it installed, never boot it.</summary>
    private async Task<bool> StageAsync(DeviceApiClient api, UpdateAction update, CancellationToken cancellationToken)
    {
        var target = update.Target;
        if (UpdateUri(api, update.RepositoryUrl, "repository", out var repository) is { } badRepository)
        {
            return await RefuseAsync(api, update, badRepository, cancellationToken);
        }

        if (UpdateUri(api, update.LogUrl, "log", out var log) is { } badLog)
        {
            return await RefuseAsync(api, update, badLog, cancellationToken);
        }

        var control = _platform.ReadBootControl();
        if (control.Booted is { } booted && control.Slots[booted] is { State: SlotState.Good } running && running.Target == target)
        {
            _output.WriteLine($"{target} ({running.Version}) already runs in slot {booted}; nothing to stage");
            await ReportAsync(api, ReportPhases.Committed, target, running.Version, $"already installed and running in slot {booted}", cancellationToken);
            return true;
        }

        var staged = await WriteSlotAsync(api, update, repository, log, activate: false, cancellationToken);
        if (staged is null)
        {
            return false;
        }

        _output.WriteLine(staged.Reused
            ? $"{staged.Target} {staged.Version} is already staged in slot {staged.Slot}; TUF and log entry {staged.LogIndex} verified again"
            : $"staged {staged.Target} {staged.Version} (security counter {staged.SecurityCounter}) in slot {staged.Slot}, not activated; log entry {staged.LogIndex} of {staged.LogSize} verified");
        await ReportAsync(api, ReportPhases.Installed, target, staged.Version, $"staged in slot {staged.Slot}, not activated (download-only)", cancellationToken);
        return true;
    }

    /// <summary>Reports downloading and writes the slot; null when the release was refused (and reported failed).</summary>
    private async Task<InstallOutcome?> WriteSlotAsync(DeviceApiClient api, UpdateAction update, Uri repository, Uri log, bool activate, CancellationToken cancellationToken, bool reimage = false)
    {
        await ReportAsync(api, ReportPhases.Downloading, update.Target, update.Version, null, cancellationToken, remediation: reimage);
        _output.WriteLine($"downloading {update.Target} ({update.Version}) from {repository}{(activate ? string.Empty : " to stage it (download-only)")}");
        var client = new UpdateClient(_platform, _time);
        var fetcher = new HttpRepositoryFetcher(api.Http, repository);
        var reader = new HttpLogReader(api.Http, log);
        try
        {
            return reimage ? await client.ReimageAsync(fetcher, reader, update.Target, cancellationToken)
                : activate ? await client.InstallAsync(fetcher, reader, update.Target, cancellationToken)
                : await client.StageAsync(fetcher, reader, update.Target, cancellationToken);
        }
        catch (AgentException ex)
        {
            await RefuseAsync(api, update, ex.Message, cancellationToken, remediation: reimage);
            return null;
        }
    }

    private async Task<bool> RefuseAsync(DeviceApiClient api, UpdateAction update, string reason, CancellationToken cancellationToken, bool remediation = false)
    {
        Fail($"{(remediation ? "re-image" : "update")} to {update.Target} ({update.Version}) refused: {reason}");
        await ReportAsync(api, ReportPhases.Failed, update.Target, update.Version, reason, cancellationToken, remediation);
        return false;
    }

    /// <summary>Reports a phase; remediation orders report at the remediation endpoint, which a quarantined device may still use.</summary>
    private async Task ReportAsync(DeviceApiClient api, string phase, string target, string? version, string? detail, CancellationToken cancellationToken, bool remediation = false)
    {
        try
        {
            var report = new DeviceReport { Phase = phase, Target = target, Version = version, Detail = detail };
            await (remediation ? api.RemediationReportAsync(report, cancellationToken) : api.ReportAsync(report, cancellationToken));
        }
        catch (Exception ex) when (ex is DeviceApiException { IsWiped: false } or HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A lost report must not stop the device halfway through an update; the cycle counts as failed.
            _reportFailed = true;
            if (ex is DeviceApiException { RetryAfter: { } wait } && (_retryAfter is null || wait > _retryAfter))
            {
                _retryAfter = wait;
            }

            Fail($"could not report {phase} of {target}: {Describe(ex)}");
        }
    }

    /// <summary>An update URL from the server, resolved against the server URL; returns why it is refused, or null.</summary>
    private static string? UpdateUri(DeviceApiClient api, string value, string what, out Uri uri)
    {
        if (!Uri.TryCreate(api.Server, value, out uri!))
        {
            return $"the server names the {what} \"{value}\", which is not a URL.";
        }

        return uri.Scheme == Uri.UriSchemeHttps ? null : $"the server names the {what} {uri}, which is not https; the device fetches releases over HTTPS only.";
    }

    private static bool IsCycleFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is DeviceApiException or HttpRequestException or TrustException or IOException or UnauthorizedAccessException or CryptographicException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private string Describe(Exception ex)
    {
        switch (ex)
        {
            case HttpRequestException when FindInner<AuthenticationException>(ex) is { } tls:
                return $"cannot connect securely to {_options.Server}: {tls.Message.TrimEnd('.')}; the server's certificate must be issued for this host name by the fleet CA in {DevicePaths.FleetCa}.";
            case HttpRequestException:
                return $"cannot reach {_options.Server}: {ex.Message}";
            case OperationCanceledException:
                return $"{_options.Server} did not answer in time.";
            default:
                return ex.Message;
        }
    }

    private static T? FindInner<T>(Exception ex)
        where T : Exception
    {
        for (var current = ex.InnerException; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }

    private void Fail(string message) => _error.WriteLine($"otter-agent: {message}");

    private TimeSpan Backoff(int failures)
    {
        var doubled = _options.RetryBase * Math.Pow(2, Math.Min(failures - 1, 20));
        return doubled < _options.RetryCap ? doubled : _options.RetryCap;
    }

    /// <summary>±10%, so that devices started together do not keep checking in together.</summary>
    private static TimeSpan Jitter(TimeSpan wait) =>
        wait * (0.9 + (0.2 * RandomNumberGenerator.GetInt32(0, 1_000_001) / 1_000_000.0));

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
