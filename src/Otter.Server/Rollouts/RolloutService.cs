using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol.Management;
using Otter.Protocol.Rollouts;
using Otter.Server.Audit;
using Otter.Server.Auth;
using Otter.Server.Data;
using Otter.Server.Devices;
using Otter.Server.Releases;
using Otter.Server.Rollouts.Filters;
using Otter.Server.Setup;

namespace Otter.Server.Rollouts;

/// <summary>Creates rollouts (validated, devices placed in waves) and moves them between states, audited.</summary>
internal sealed class RolloutService(AuditLog audit, TimeProvider time)
{
    private const int MaxExplicitDevices = 100_000;

    public async Task<RolloutRow> CreateAsync(OtterDbContext db, RolloutRequest request, ApiCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Name == request.Release, cancellationToken)
            ?? throw new ReleaseException(StatusCodes.Status400BadRequest, $"no release named {request.Release}; publish it first with `otter release publish`.");
        Check(request.SuccessPercent is >= 0 and <= 100, $"success threshold {request.SuccessPercent} is outside 0-100.");
        Check(request.ErrorPercent is >= 0 and <= 100, $"error threshold {request.ErrorPercent} is outside 0-100.");
        Check(request.Priority is >= -1000 and <= 1000, "priority must be -1000 to 1000.");
        Check(request.Devices.Count <= MaxExplicitDevices, $"at most {MaxExplicitDevices} explicit devices.");
        var waves = WaveSpec.ParseAll(request.Waves);
        var soak = Durations.Parse(request.Soak, "soak");
        var timeout = Durations.Parse(request.InstallTimeout, "install timeout");
        Check(timeout >= TimeSpan.FromMinutes(1), "the install timeout must be at least 1m.");
        var rate = Rates.ParsePerMinute(request.Rate);
        var windows = request.Windows.Select(MaintenanceWindow.Parse).ToList();
        FilterExpression filter;
        try
        {
            filter = FilterParser.Parse(request.Filter);
        }
        catch (FilterException ex)
        {
            throw new RolloutSpecException("filter: " + ex.Message);
        }

        var explicitIds = request.Devices.ToHashSet(StringComparer.Ordinal);

        // A filter, or no explicit list, selects by filter (the empty filter: every device); explicit devices are added.
        // Streamed, keeping only what the planner needs: a million devices' facts at once are gigabytes.
        var useFilter = request.Filter is not null || request.Devices.Count == 0;
        var needTags = waves.Any(w => w.Tag is not null);
        var noTags = (IReadOnlySet<string>)new HashSet<string>(StringComparer.Ordinal);
        var selected = new List<PlanCandidate>();
        var query = db.Devices.AsNoTracking()
            .Where(d => d.Hardware == release.Hardware && d.Status == DeviceStatuses.Approved)
            .Select(d => new { d.Id, d.Hardware, d.Status, d.TagsJson, d.AttributesJson, d.SlotsJson, d.BootedSlot, d.SecurityCounter });
        await foreach (var d in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var isExplicit = explicitIds.Remove(d.Id);
            if (!isExplicit && !useFilter)
            {
                continue;
            }

            IReadOnlySet<string>? tags = null;
            if (!isExplicit && request.Filter is not null)
            {
                tags = Tags(d.TagsJson);
                var slots = JsonSerializer.Deserialize(d.SlotsJson, ServerJsonContext.Default.DictionaryStringSlotReport) ?? [];
                var version = d.BootedSlot is { } booted && slots.TryGetValue(booted, out var slot) ? slot.Version : null;
                var fact = new DeviceFacts(d.Id, d.Hardware, d.Status, tags, JsonSerializer.Deserialize(d.AttributesJson, ServerJsonContext.Default.DictionaryStringString) ?? [], version, d.SecurityCounter);
                if (!filter.Matches(fact))
                {
                    continue;
                }
            }

            selected.Add(new PlanCandidate(d.Id, !needTags ? noTags : tags ?? Tags(d.TagsJson)));
        }

        if (explicitIds.Count > 0)
        {
            var missing = explicitIds.Order(StringComparer.Ordinal).Take(5).ToList();
            throw new RolloutSpecException($"device {string.Join(", ", missing)}{(explicitIds.Count > 5 ? " and others" : string.Empty)} cannot take {release.Name}: unknown, not approved, or not {release.Hardware} hardware.");
        }

        Check(selected.Count > 0, $"the filter selects no approved {release.Hardware} device; check it with `otter device list`.");
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rollout = new RolloutRow
        {
            Release = release.Name,
            Hardware = release.Hardware,
            Filter = request.Filter,
            DevicesJson = JsonSerializer.Serialize(request.Devices.ToList(), ServerJsonContext.Default.ListString),
            WavesJson = JsonSerializer.Serialize(waves.Select(w => w.Text).ToList(), ServerJsonContext.Default.ListString),
            SuccessPercent = request.SuccessPercent,
            ErrorPercent = request.ErrorPercent,
            SoakSeconds = (long)soak.TotalSeconds,
            InstallTimeoutSeconds = (long)timeout.TotalSeconds,
            AutoPromote = request.AutoPromote,
            RatePerMinute = rate,
            ExponentialRate = request.ExponentialRate,
            StartAt = request.StartAt,
            WindowsJson = JsonSerializer.Serialize(windows.Select(w => w.Text).ToList(), ServerJsonContext.Default.ListString),
            Force = request.Force,
            DownloadOnly = request.DownloadOnly,
            Priority = request.Priority,
            RollbackOnHalt = request.RollbackOnHalt,
            Status = RolloutStatuses.Created,
            DeviceCount = selected.Count,
            CreatedAt = now,
            CreatedBy = caller.Name,
        };
        db.Rollouts.Add(rollout);
        await db.SaveChangesAsync(cancellationToken);
        var rows = RolloutPlanner.Plan(rollout.Id, waves, selected, now);
        var perWave = new int[waves.Count];
        foreach (var row in rows)
        {
            perWave[row.Wave]++;
        }

        for (var w = 0; w < waves.Count; w++)
        {
            db.RolloutWaves.Add(new RolloutWaveRow { RolloutId = rollout.Id, Index = w, Spec = waves[w].Text, Total = perWave[w], Pending = perWave[w] });
        }

        await db.SaveChangesAsync(cancellationToken);
        await RolloutRowWriter.InsertAsync(db, rows, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        await audit.AppendAsync(db, caller.Actor, "rollout.create", rollout.Id.ToString(CultureInfo.InvariantCulture), $"{release.Name} to {selected.Count} devices in waves {string.Join(",", waves.Select(w => w.Text))}", cancellationToken);
        return rollout;
    }

    private static HashSet<string> Tags(string json) =>
        (JsonSerializer.Deserialize(json, ServerJsonContext.Default.ListString) ?? []).ToHashSet(StringComparer.Ordinal);

    public async Task<RolloutRow> ChangeAsync(OtterDbContext db, long id, string action, ApiCaller caller, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rollout = await db.Rollouts.FirstOrDefaultAsync(r => r.Id == id, cancellationToken)
            ?? throw new ReleaseException(StatusCodes.Status404NotFound, $"no rollout {id}; `otter rollout list` shows them.");
        var waves = await db.RolloutWaves.Where(w => w.RolloutId == id).OrderBy(w => w.Index).ToListAsync(cancellationToken);
        string detail;
        switch (action)
        {
            case "start" when rollout.Status == RolloutStatuses.Created:
                rollout.Status = RolloutStatuses.Running;
                rollout.StartedAt = now;
                detail = rollout.StartAt > now ? $"starts at {rollout.StartAt:u}" : "started";
                break;
            case "pause" when rollout.Status == RolloutStatuses.Running:
                rollout.Status = RolloutStatuses.Paused;
                await RolloutEngine.StopWaveAsync(db, rollout, waves, rollout.CurrentWave, rollback: false, now, cancellationToken);
                detail = $"paused in wave {rollout.CurrentWave + 1}";
                break;
            case "resume" when rollout.Status is RolloutStatuses.Paused or RolloutStatuses.Halted || (rollout.Status == RolloutStatuses.Running && rollout.AwaitingPromotion):
                detail = Resume(rollout, waves, now);
                break;
            case "cancel" when rollout.Status is RolloutStatuses.Created or RolloutStatuses.Running or RolloutStatuses.Paused or RolloutStatuses.Halted:
                await RolloutEngine.StopWaveAsync(db, rollout, waves, rollout.CurrentWave, rollback: false, now, cancellationToken);
                rollout.Status = RolloutStatuses.Cancelled;
                rollout.FinishedAt = now;
                detail = "cancelled; devices already updating finish, no more are started";
                break;
            default:
                throw new ReleaseException(StatusCodes.Status409Conflict, $"rollout {id} is {rollout.Status}{(rollout.AwaitingPromotion ? " (awaiting promotion)" : string.Empty)}; it cannot {action}.");
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await audit.AppendAsync(db, caller.Actor, "rollout." + action, id.ToString(CultureInfo.InvariantCulture), detail, cancellationToken);
        return rollout;
    }

    public static RolloutView ToView(RolloutRow rollout, IReadOnlyList<RolloutWaveRow> waves) => new()
    {
        Id = rollout.Id,
        Release = rollout.Release,
        Status = rollout.Status == RolloutStatuses.Running && rollout.AwaitingPromotion ? "awaiting-promotion" : rollout.Status,
        Filter = rollout.Filter,
        CurrentWave = rollout.CurrentWave + 1,
        DeviceCount = rollout.DeviceCount,
        SuccessPercent = rollout.SuccessPercent,
        ErrorPercent = rollout.ErrorPercent,
        Soak = Durations.Format(TimeSpan.FromSeconds(rollout.SoakSeconds)),
        InstallTimeout = Durations.Format(TimeSpan.FromSeconds(rollout.InstallTimeoutSeconds)),
        Rate = rollout.RatePerMinute is null ? null : Rates.Format(rollout.RatePerMinute) + (rollout.ExponentialRate ? " (doubling per wave)" : string.Empty),
        Force = rollout.Force,
        DownloadOnly = rollout.DownloadOnly,
        AutoPromote = rollout.AutoPromote,
        RollbackOnHalt = rollout.RollbackOnHalt,
        Priority = rollout.Priority,
        Windows = JsonSerializer.Deserialize(rollout.WindowsJson, ServerJsonContext.Default.ListString) ?? [],
        HaltReason = rollout.HaltReason,
        CreatedAt = rollout.CreatedAt,
        CreatedBy = rollout.CreatedBy,
        StartedAt = rollout.StartedAt,
        FinishedAt = rollout.FinishedAt,
        Waves = waves.Select(w => new WaveView
        {
            Index = w.Index + 1,
            Spec = w.Spec,
            Status = WaveStatus(rollout, w),
            Total = w.Total,
            Pending = w.Pending,
            Assigned = w.Assigned,
            Downloading = w.Downloading,
            Installed = w.Installed,
            Committed = w.Committed,
            Failed = w.Failed,
            RolledBack = w.RolledBack,
            TimedOut = w.TimedOut,
            Skipped = w.Skipped,
            Reverted = w.Reverted,
            StartedAt = w.StartedAt,
            SoakUntil = w.SoakUntil,
        }).ToList(),
    };

    private static string Resume(RolloutRow rollout, List<RolloutWaveRow> waves, DateTimeOffset now)
    {
        var wave = waves[rollout.CurrentWave];
        if (rollout.Status == RolloutStatuses.Halted)
        {
            // The operator accepts the errors so far; new ones count afresh.
            wave.AcceptedErrors = wave.Failed + wave.RolledBack + wave.TimedOut;
            rollout.HaltReason = null;
        }

        rollout.Status = RolloutStatuses.Running;
        if (rollout.AwaitingPromotion)
        {
            rollout.AwaitingPromotion = false;
            wave.FinishedAt = now;
            rollout.CurrentWave++;
            waves[rollout.CurrentWave].StartedAt = now;
            return $"promoted to wave {rollout.CurrentWave + 1}";
        }

        return $"resumed in wave {rollout.CurrentWave + 1}";
    }

    private static string WaveStatus(RolloutRow rollout, RolloutWaveRow wave) =>
        wave.Index < rollout.CurrentWave || (rollout.Status == RolloutStatuses.Completed && wave.FinishedAt is not null) ? "done"
        : wave.Index > rollout.CurrentWave ? "waiting"
        : rollout.Status == RolloutStatuses.Halted ? "halted"
        : wave.SoakUntil is not null ? "soaking"
        : rollout.Status == RolloutStatuses.Running ? "active"
        : rollout.Status;

    private static void Check(bool ok, string message)
    {
        if (!ok)
        {
            throw new RolloutSpecException(message);
        }
    }
}
