using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol.Device;
using Otter.Server.Data;
using Otter.Server.Setup;
using Otter.Trust.Attestation;
using Otter.Trust.Keys;

namespace Otter.Server.Devices;

/// <summary>Check-in and reports: record what the device says, judge its attestation, hand out its action.</summary>
internal sealed class CheckInService(ServerState state, Hosting.ServerMetrics metrics, DeviceWriteBehind writeBehind, TimeProvider time)
{
    public async Task<CheckInResponse> CheckInAsync(OtterDbContext db, DeviceRow device, CheckInRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        device.LastSeen = now;
        device.ActiveSlot = request.ActiveSlot;
        device.BootedSlot = request.BootedSlot;
        device.SecurityCounter = request.SecurityCounter;
        device.Health = request.Health;
        device.SlotsJson = JsonSerializer.Serialize(new Dictionary<string, SlotReport>(request.Slots, StringComparer.Ordinal), ServerJsonContext.Default.DictionaryStringSlotReport);
        device.LastResultJson = request.LastResult is null ? null : JsonSerializer.Serialize(request.LastResult, ServerJsonContext.Default.ResultReport);
        var booted = request.BootedSlot is { } slot && request.Slots.TryGetValue(slot, out var report) ? report : null;
        if (request.Quote is { } quote)
        {
            await JudgeAsync(db, device, quote, booted, cancellationToken);
        }

        var action = await ActionAsync(db, device, booted, now, cancellationToken);
        device.PendingNonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        if (NeedsSynchronousWrite(db))
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        else
        {
            writeBehind.Enqueue(new DeviceCheckInState(
                device.Id, now, device.ActiveSlot, device.BootedSlot, device.SecurityCounter, device.Health, device.SlotsJson,
                device.LastResultJson, device.PendingNonce, device.Attestation, device.AttestationDetail, device.Measurement));
        }

        metrics.CheckIn();
        return new CheckInResponse
        {
            Action = action is null ? DeviceActions.None : DeviceActions.Update,
            Update = action,
            AttestationNonce = device.PendingNonce,
            NextCheckInSeconds = state.Settings.CheckInIntervalSeconds,
        };
    }

    public async Task ReportAsync(OtterDbContext db, DeviceRow device, DeviceReport report, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        device.LastSeen = now;
        if (report.Target is not null && report.Target == device.AssignedRelease)
        {
            device.AssignmentState = report.Phase;
            if (report.Phase == ReportPhases.Committed)
            {
                device.LastPatchedAt = now;
            }

            await Rollouts.RolloutProgress.RecordAsync(db, device, report.Phase, report.Detail, now, cancellationToken);
        }

        var detail = $"{report.Phase} {report.Target ?? "-"} {report.Version ?? string.Empty}".TrimEnd() + (report.Detail is null ? string.Empty : ": " + report.Detail);
        db.DeviceEvents.Add(new DeviceEventRow { DeviceId = device.Id, At = now, Kind = "report", Detail = Truncate(detail, 2000) });
        await db.SaveChangesAsync(cancellationToken);
    }

    private static async Task JudgeAsync(OtterDbContext db, DeviceRow device, AttestationQuote quote, SlotReport? booted, CancellationToken cancellationToken)
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
            var release = booted?.Target is { } target ? await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Name == target, cancellationToken) : null;
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
            db.DeviceEvents.Add(new DeviceEventRow { DeviceId = device.Id, At = device.LastSeen!.Value, Kind = "attestation", Detail = $"{result.Verdict}: {result.Detail}" });
        }

        device.Attestation = result.Verdict;
        device.AttestationDetail = result.Detail;
        device.Measurement = quote.Quote.Measurement;
    }

    private async Task<UpdateAction?> ActionAsync(OtterDbContext db, DeviceRow device, SlotReport? booted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (device.AssignedRelease is not { } assigned)
        {
            return null;
        }

        if (booted?.Target == assigned && booted.State is "good")
        {
            if (device.AssignmentState != "done")
            {
                if (device.AssignmentState != ReportPhases.Committed)
                {
                    // Not reported as committed: the patch is seen now.
                    device.LastPatchedAt = now;
                }

                device.AssignmentState = "done";
                await Rollouts.RolloutProgress.RecordAsync(db, device, Rollouts.RolloutDeviceStates.Committed, "running and healthy at check-in", now, cancellationToken);
            }

            return null;
        }

        // A failed attempt is not retried on its own: an operator assigns again.
        if (device.AssignmentState is "failed" or "rolled-back")
        {
            return null;
        }

        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Name == assigned, cancellationToken);
        if (release is null)
        {
            return null;
        }

        return new UpdateAction
        {
            Target = release.Name,
            Version = release.Version,
            RepositoryUrl = state.PublicUrl + "/repo",
            LogUrl = state.PublicUrl + "/log",
        };
    }

    /// <summary>Events, rollout rows or assignment changes are written before answering; routine state can wait for the batch.</summary>
    private static bool NeedsSynchronousWrite(OtterDbContext db)
    {
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.Entity is DeviceRow)
            {
                if (entry.Property(nameof(DeviceRow.AssignmentState)).IsModified || entry.Property(nameof(DeviceRow.AssignedRollout)).IsModified
                    || entry.Property(nameof(DeviceRow.AssignedRelease)).IsModified || entry.Property(nameof(DeviceRow.LastPatchedAt)).IsModified
                    || entry.Property(nameof(DeviceRow.Status)).IsModified)
                {
                    return true;
                }
            }
            else if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            {
                return true;
            }
        }

        return false;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
