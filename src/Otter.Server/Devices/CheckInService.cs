using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Otter.Protocol.Device;
using Otter.Server.Data;
using Otter.Server.Releases;
using Otter.Server.Rollouts;
using Otter.Server.Setup;
using Otter.Trust.Attestation;
using Otter.Trust.Keys;

namespace Otter.Server.Devices;

/// <summary>
/// Check-in and reports: record what the device says, judge its attestation, hand out its action.
/// A routine check-in touches no EF context: its state goes to <see cref="DeviceWriteBehind"/>;
/// only a change worth an event or an assignment step is written through EF before answering.
/// </summary>
internal sealed class CheckInService(
    ServerState state,
    Hosting.ServerMetrics metrics,
    DeviceWriteBehind writeBehind,
    ReleaseCache releases,
    TimeProvider time,
    Incidents.IncidentService incidents,
    Incidents.RemediationService remediation,
    Incidents.RemediationOrders orders,
    Incidents.VerificationFailures failures)
{
    // What the agent records when the verified boot chain refused the active slot (it booted the other, or nothing).
    private static readonly string[] BootChainFailures = ["recovery", "no-bootable-slot"];

    public async Task<CheckInResponse> CheckInAsync(IServiceProvider services, DeviceRow device, CheckInRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(device);
        var now = time.GetUtcNow();
        var before = (device.ActiveSlot, device.BootedSlot, device.SecurityCounter, device.Health, device.SlotsJson, device.LastResultJson, device.Attestation, device.AttestationDetail, device.Measurement);
        device.LastSeen = now;
        device.ActiveSlot = request.ActiveSlot;
        device.BootedSlot = request.BootedSlot;
        device.SecurityCounter = request.SecurityCounter;
        device.Health = request.Health;
        device.SlotsJson = JsonSerializer.Serialize(new Dictionary<string, SlotReport>(request.Slots, StringComparer.Ordinal), ServerJsonContext.Default.DictionaryStringSlotReport);
        device.LastResultJson = request.LastResult is null ? null : JsonSerializer.Serialize(request.LastResult, ServerJsonContext.Default.ResultReport);
        var booted = request.BootedSlot is { } slot && request.Slots.TryGetValue(slot, out var report) ? report : null;
        var events = new List<DeviceEventRow>();
        if (request.Quote is { } quote)
        {
            await JudgeAsync(device, quote, booted, now, events, cancellationToken);
        }

        // A quarantined device (on the remediation check-in) gets no normal updates, only its orders.
        var (action, committed) = device.Status == Protocol.Management.DeviceStatuses.Approved ? await ActionAsync(device, booted, cancellationToken) : (null, false);
        var bootFailure = device.LastResultJson != before.LastResultJson && request.LastResult is { } last && BootChainFailures.Contains(last.Outcome, StringComparer.Ordinal)
            && !NeverHadFirmware(before.ActiveSlot, request)
            ? last
            : null;
        var hasOrder = await orders.MayHaveAsync(device.Id, cancellationToken);
        CheckInResponse? order = null;
        device.PendingNonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var after = (device.ActiveSlot, device.BootedSlot, device.SecurityCounter, device.Health, device.SlotsJson, device.LastResultJson, device.Attestation, device.AttestationDetail, device.Measurement);
        writeBehind.Enqueue(
            new DeviceCheckInState(
                device.Id, now, device.ActiveSlot, device.BootedSlot, device.SecurityCounter, device.Health, device.SlotsJson,
                device.LastResultJson, device.PendingNonce, device.Attestation, device.AttestationDetail, device.Measurement),
            contentChanged: before != after);
        if (events.Count > 0 || committed || bootFailure is not null || hasOrder)
        {
            var db = services.GetRequiredService<OtterDbContext>();
            db.Devices.Attach(device);
            db.DeviceEvents.AddRange(events);
            if (committed)
            {
                if (device.AssignmentState != ReportPhases.Committed)
                {
                    // Not reported as committed: the patch is seen now.
                    device.LastPatchedAt = now;
                }

                device.AssignmentState = "done";
                await RolloutProgress.RecordAsync(db, device, RolloutDeviceStates.Committed, "running and healthy at check-in", now, cancellationToken);
            }

            if (bootFailure is not null)
            {
                db.DeviceEvents.Add(new DeviceEventRow { DeviceId = device.Id, At = now, Kind = "boot-chain-failure", Detail = Truncate($"{bootFailure.Outcome} slot {bootFailure.Slot ?? "-"} {bootFailure.Version ?? string.Empty}: {bootFailure.Detail}", 2000) });
            }

            await db.SaveChangesAsync(cancellationToken);
            if (events.Any(e => e.Kind == "attestation") && device.Attestation == "mismatch")
            {
                await incidents.DetectAsync(
                    db,
                    device,
                    Protocol.Incidents.IncidentKinds.AttestationMismatch,
                    $"device {device.Id} attests a measurement that is not the one expected for what it runs: {device.AttestationDetail}",
                    new Dictionary<string, string>
                    {
                        ["measurement"] = device.Measurement ?? string.Empty,
                        ["detail"] = device.AttestationDetail ?? string.Empty,
                        ["booted_slot"] = device.BootedSlot ?? "-",
                        ["booted_target"] = booted?.Target ?? "-",
                    },
                    $"attestation-mismatch:{device.Id}:{device.Measurement}",
                    cancellationToken);
            }

            if (bootFailure is not null)
            {
                await incidents.DetectAsync(
                    db,
                    device,
                    Protocol.Incidents.IncidentKinds.BootChainFailure,
                    $"device {device.Id} reports a boot-chain failure ({bootFailure.Outcome}): {bootFailure.Detail}",
                    new Dictionary<string, string>
                    {
                        ["outcome"] = bootFailure.Outcome,
                        ["slot"] = bootFailure.Slot ?? "-",
                        ["version"] = bootFailure.Version ?? "-",
                        ["detail"] = bootFailure.Detail ?? string.Empty,
                        ["at"] = bootFailure.At?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                    },
                    $"boot-chain-failure:{device.Id}:{bootFailure.At?.ToUnixTimeMilliseconds()}:{bootFailure.Slot}",
                    cancellationToken);
            }

            if (hasOrder)
            {
                order = await remediation.NextAsync(db, device, request, cancellationToken);
            }
        }

        if (device.Status != Protocol.Management.DeviceStatuses.Approved)
        {
            // Quarantined during this very check-in: the assigned update is not handed out.
            action = null;
        }

        metrics.CheckIn();
        return new CheckInResponse
        {
            Action = order?.Action ?? (action is null ? DeviceActions.None : device.AssignmentStageOnly ? DeviceActions.Stage : DeviceActions.Update),
            Update = order is null ? action : order.Update,
            Collect = order?.Collect,
            AttestationNonce = device.PendingNonce,
            NextCheckInSeconds = state.Settings.CheckInIntervalSeconds,
        };
    }

    public async Task ReportAsync(OtterDbContext db, DeviceRow device, DeviceReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(device);
        var now = time.GetUtcNow();
        db.Devices.Attach(device);
        if (report.Target is not null && report.Target == device.AssignedRelease)
        {
            // A staged download-only release is done, and the device free for other rollouts.
            device.AssignmentState = report.Phase == ReportPhases.Installed && device.AssignmentStageOnly ? RolloutDeviceStates.Staged : report.Phase;
            if (report.Phase == ReportPhases.Committed)
            {
                device.LastPatchedAt = now;
            }

            await RolloutProgress.RecordAsync(db, device, report.Phase, report.Detail, now, cancellationToken);
        }

        var detail = $"{report.Phase} {report.Target ?? "-"} {report.Version ?? string.Empty}".TrimEnd() + (report.Detail is null ? string.Empty : ": " + report.Detail);
        db.DeviceEvents.Add(new DeviceEventRow { DeviceId = device.Id, At = now, Kind = "report", Detail = Truncate(detail, 2000) });
        await db.SaveChangesAsync(cancellationToken);
        await remediation.ReportAsync(db, device, report, cancellationToken);
        if (report.Phase == ReportPhases.Failed && failures.Record(device.Id, now) is { } count)
        {
            await incidents.DetectAsync(
                db,
                device,
                Protocol.Incidents.IncidentKinds.VerificationFailures,
                $"device {device.Id} reported {count} refused updates within {state.Settings.Incidents.VerificationFailureWindowMinutes} minutes",
                new Dictionary<string, string> { ["failures"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture), ["last"] = Truncate(detail, 500) },
                $"verification-failures:{device.Id}:{now.ToUnixTimeMilliseconds()}",
                cancellationToken);
        }
    }

    private async Task JudgeAsync(DeviceRow device, AttestationQuote quote, SlotReport? booted, DateTimeOffset now, List<DeviceEventRow> events, CancellationToken cancellationToken)
    {
        (string Verdict, string Detail) result;
        TufKey key;
        using (var publicKey = EcdsaP256.TryImportPublic(device.PublicKeyPem))
        {
            key = EcdsaP256.ToTufKey(publicKey!);
        }

        if (quote.Quote.DeviceId != device.Id || !QuoteSigner.Verify(quote, key))
        {
            result = ("bad-signature", "the quote is not signed by this device's enrolled key");
        }
        else if (device.PendingNonce is null || quote.Quote.Nonce != device.PendingNonce)
        {
            result = ("stale-nonce", "the quote is not over the nonce handed out at the previous check-in");
        }
        else
        {
            var release = booted?.Target is { } target ? await releases.FindAsync(target, cancellationToken) : null;
            if (release is null)
            {
                result = ("unknown", $"the booted image ({booted?.Target ?? "no target"}) is not a release this server published");
            }
            else if (release.ExpectedMeasurement == quote.Quote.Measurement)
            {
                result = ("good", $"measurement matches {release.Name} {release.Version}");
            }
            else
            {
                result = ("mismatch", $"measurement {quote.Quote.Measurement[..Math.Min(16, quote.Quote.Measurement.Length)]}… differs from the one expected for {release.Name} ({release.ExpectedMeasurement[..16]}…)");
            }
        }

        if (result.Verdict != device.Attestation || result.Detail != device.AttestationDetail)
        {
            events.Add(new DeviceEventRow { DeviceId = device.Id, At = now, Kind = "attestation", Detail = $"{result.Verdict}: {result.Detail}" });
        }

        device.Attestation = result.Verdict;
        device.AttestationDetail = result.Detail;
        device.Measurement = quote.Quote.Measurement;
    }

    /// <summary>The action for the device, and whether it has just finished its assignment.</summary>
    private async Task<(UpdateAction? Action, bool Committed)> ActionAsync(DeviceRow device, SlotReport? booted, CancellationToken cancellationToken)
    {
        if (device.AssignedRelease is not { } assigned)
        {
            return (null, false);
        }

        if (booted?.Target == assigned && booted.State is "good")
        {
            return (null, device.AssignmentState != "done");
        }

        // A failed attempt is not retried on its own: an operator (or a rollout) assigns again.
        // A staged download-only release waits for an assignment that installs it.
        if (device.AssignmentState is "failed" or "rolled-back" or RolloutDeviceStates.TimedOut or RolloutDeviceStates.Staged)
        {
            return (null, false);
        }

        var release = await releases.FindAsync(assigned, cancellationToken);
        if (release is null)
        {
            return (null, false);
        }

        return (new UpdateAction
        {
            Target = release.Name,
            Version = release.Version,
            RepositoryUrl = state.PublicUrl + "/repo",
            LogUrl = state.PublicUrl + "/log",
        }, false);
    }

    /// <summary>
    /// A device fresh from the factory with nothing installed yet has nothing to boot: that is not a
    /// boot-chain failure. One that had a committed slot and now reports all slots empty is.
    /// </summary>
    private static bool NeverHadFirmware(string? previousActiveSlot, CheckInRequest request) =>
        previousActiveSlot is null && request.ActiveSlot is null && request.Slots.Values.All(s => s.State == "empty");

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
