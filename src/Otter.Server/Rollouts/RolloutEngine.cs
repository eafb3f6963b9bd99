using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Otter.Protocol.Management;
using Otter.Server.Alerts;
using Otter.Server.Audit;
using Otter.Server.Data;
using Otter.Server.Devices;
using Otter.Server.Hosting;
using Otter.Server.Setup;

namespace Otter.Server.Rollouts;

/// <summary>
/// Drives running rollouts. Each tick, per rollout: folds the device rows changed since the last
/// tick into the wave counters, times out devices that took too long, halts on the error
/// threshold, soaks and promotes on the success threshold, and starts the next devices of the
/// current wave within the rate limit and their maintenance windows. All state is in the
/// database and every tick's changes commit together, so a restart continues exactly where the
/// last tick left off; the work grows with the devices that changed, not with the fleet.
/// </summary>
internal sealed partial class RolloutEngine(
    IServiceScopeFactory scopes,
    AuditLog audit,
    AlertService alerts,
    ServerState state,
    BackgroundWork background,
    TimeProvider time,
    ILogger<RolloutEngine> logger) : BackgroundService
{
    /// <summary>Changed rows one tick folds at most; the rest wait for the next tick.</summary>
    internal const int FoldBatch = 50_000;
    private const int UnlimitedBatch = 5_000;
    private readonly SemaphoreSlim _tick = new(1, 1);

    public async Task<RolloutTickResult> TickAsync(CancellationToken cancellationToken)
    {
        await _tick.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OtterDbContext>();
            var ids = await db.Rollouts.AsNoTracking().Where(r => r.Status == RolloutStatuses.Running).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellationToken);
            var total = new RolloutTickResult(0, 0, 0, 0, 0, []);
            foreach (var id in ids)
            {
                var result = await TickRolloutAsync(db, id, cancellationToken);
                total = new RolloutTickResult(total.Rollouts + 1, total.Folded + result.Folded, total.TimedOut + result.TimedOut, total.Assigned + result.Assigned, total.Deferred + result.Deferred, [.. total.Transitions, .. result.Transitions]);
                db.ChangeTracker.Clear();
            }

            return total;
        }
        finally
        {
            _tick.Release();
        }
    }

    public override void Dispose()
    {
        _tick.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!background.Enabled)
        {
            return;
        }

        var interval = TimeSpan.FromSeconds(state.Settings.RolloutTickSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                LogTickFailed(logger, ex.Message);
            }

            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<RolloutTickResult> TickRolloutAsync(OtterDbContext db, long id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var rollout = await db.Rollouts.FirstAsync(r => r.Id == id, cancellationToken);
        if (rollout.Status != RolloutStatuses.Running || rollout.StartAt > now)
        {
            return new RolloutTickResult(1, 0, 0, 0, 0, []);
        }

        var waves = await db.RolloutWaves.Where(w => w.RolloutId == id).OrderBy(w => w.Index).ToListAsync(cancellationToken);
        var transitions = new List<string>();
        var folded = await FoldAsync(db, rollout, waves, cancellationToken);
        var timedOut = await TimeOutAsync(db, rollout, waves, now, cancellationToken);
        await EvaluateAsync(db, rollout, waves, now, transitions, cancellationToken);
        var (assigned, deferred) = rollout.Status == RolloutStatuses.Running && !rollout.AwaitingPromotion
            ? await AssignAsync(db, rollout, waves[rollout.CurrentWave], now, cancellationToken)
            : (0, 0);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var transition in transitions)
        {
            await audit.AppendAsync(db, "server", "rollout." + transition.Split(' ')[0], id.ToString(CultureInfo.InvariantCulture), transition, cancellationToken);
        }

        return new RolloutTickResult(1, folded, timedOut, assigned, deferred, transitions);
    }

    /// <summary>Counts the rows devices changed since the last tick.</summary>
    private async Task<int> FoldAsync(OtterDbContext db, RolloutRow rollout, List<RolloutWaveRow> waves, CancellationToken cancellationToken)
    {
        // Compared with a parameter, not tested as a bare column: SQLite seeks the (RolloutId, Dirty)
        // index only on `"Dirty" = ?`; `AND "Dirty"` reads every row of the rollout on every tick.
        var isDirty = true;
        var dirty = await db.RolloutDevices.AsNoTracking().Where(d => d.RolloutId == rollout.Id && d.Dirty == isDirty).Take(FoldBatch).ToListAsync(cancellationToken);
        if (dirty.Count == 0)
        {
            return 0;
        }

        // One prepared UPDATE in the tick's transaction, not tracked rows: SaveChanges would send
        // every row as a command of its own, two thirds of a fold's time. Written now, so the rest
        // of the tick reads the rows folded. The State guard leaves a row that its device changed
        // again since it was read (possible on PostgreSQL) dirty and uncounted, for the next tick.
        await using var clean = db.Database.GetDbConnection().CreateCommand();
        clean.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        clean.CommandText = "UPDATE rollout_devices SET \"CountedState\" = @state, \"Dirty\" = @clean "
            + "WHERE \"RolloutId\" = @rollout AND \"DeviceId\" = @device AND \"State\" = @state AND \"Dirty\" = @dirty";
        DbParameter Parameter(string name, object value)
        {
            var parameter = clean.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            clean.Parameters.Add(parameter);
            return parameter;
        }

        var state = Parameter("@state", string.Empty);
        Parameter("@clean", false);
        Parameter("@rollout", rollout.Id);
        var device = Parameter("@device", string.Empty);
        Parameter("@dirty", true);
        await clean.PrepareAsync(cancellationToken);
        var folded = 0;
        foreach (var row in dirty)
        {
            if (row.State == RolloutDeviceStates.RolledBack && row.CountedState != RolloutDeviceStates.RolledBack)
            {
                await alerts.RaiseAsync(
                    db,
                    AlertKinds.DeviceRolledBack,
                    AlertKinds.Warning,
                    row.DeviceId,
                    $"device {row.DeviceId} rolled back from {rollout.Release} (rollout {rollout.Id}, wave {row.Wave + 1})",
                    new Dictionary<string, string> { ["rollout"] = rollout.Id.ToString(CultureInfo.InvariantCulture), ["release"] = rollout.Release, ["detail"] = row.Detail ?? string.Empty },
                    $"rolled-back:{rollout.Id}:{row.DeviceId}",
                    cancellationToken);
            }

            state.Value = row.State;
            device.Value = row.DeviceId;
            if (await clean.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                WaveCounters.Move(waves[row.Wave], row.CountedState, row.State);
                folded++;
            }
        }

        return folded;
    }

    private static async Task<int> TimeOutAsync(OtterDbContext db, RolloutRow rollout, List<RolloutWaveRow> waves, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = now - TimeSpan.FromSeconds(rollout.InstallTimeoutSeconds);
        var inFlight = rollout.DownloadOnly ? RolloutDeviceStates.InFlightDownloadOnly : RolloutDeviceStates.InFlight;
        var late = await db.RolloutDevices
            .Where(d => d.RolloutId == rollout.Id && inFlight.Contains(d.State) && d.AssignedAt < cutoff)
            .Take(FoldBatch)
            .ToListAsync(cancellationToken);
        if (late.Count == 0)
        {
            return 0;
        }

        var ids = late.Select(l => l.DeviceId).ToList();
        var devices = await db.Devices.Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, StringComparer.Ordinal, cancellationToken);
        foreach (var row in late)
        {
            SetState(waves[row.Wave], row, RolloutDeviceStates.TimedOut, now, $"no {(rollout.DownloadOnly ? "download" : "commit")} within {Durations.Format(TimeSpan.FromSeconds(rollout.InstallTimeoutSeconds))}");
            if (devices.TryGetValue(row.DeviceId, out var device) && device.AssignedRollout == rollout.Id)
            {
                device.AssignmentState = RolloutDeviceStates.TimedOut;
                device.AssignedRollout = null;
            }
        }

        return late.Count;
    }

    private async Task EvaluateAsync(OtterDbContext db, RolloutRow rollout, List<RolloutWaveRow> waves, DateTimeOffset now, List<string> transitions, CancellationToken cancellationToken)
    {
        while (rollout.Status == RolloutStatuses.Running)
        {
            var wave = waves[rollout.CurrentWave];
            wave.StartedAt ??= now;
            var effective = WaveCounters.Effective(wave);
            var errors = WaveCounters.Errors(wave);
            if (effective > 0 && errors * 100.0 / effective > rollout.ErrorPercent)
            {
                await HaltAsync(db, rollout, waves, wave, errors, effective, now, transitions, cancellationToken);
                return;
            }

            var successes = wave.Committed + (rollout.DownloadOnly ? wave.Installed : 0);
            var successPercent = effective == 0 ? 100 : successes * 100.0 / effective;
            if (successPercent < rollout.SuccessPercent)
            {
                return;
            }

            if (wave.SoakUntil is null)
            {
                wave.SoakUntil = now + TimeSpan.FromSeconds(rollout.SoakSeconds);
                transitions.Add($"soak wave {wave.Index + 1}: {successes} of {effective} succeeded; promotion after {wave.SoakUntil:u}");
            }

            if (now < wave.SoakUntil)
            {
                return;
            }

            if (!rollout.AutoPromote && !rollout.AwaitingPromotion && wave.Index < waves.Count - 1)
            {
                rollout.AwaitingPromotion = true;
                transitions.Add($"await wave {wave.Index + 1} soaked; waiting for `otter rollout resume {rollout.Id}` to promote");
                return;
            }

            if (rollout.AwaitingPromotion)
            {
                return;
            }

            wave.FinishedAt = now;
            if (wave.Index == waves.Count - 1)
            {
                rollout.Status = RolloutStatuses.Completed;
                rollout.FinishedAt = now;
                transitions.Add($"complete all {waves.Count} waves done");
                var committed = waves.Sum(w => w.Committed + (rollout.DownloadOnly ? w.Installed : 0));
                await alerts.RaiseAsync(
                    db,
                    AlertKinds.RolloutCompleted,
                    AlertKinds.Info,
                    $"rollout {rollout.Id}",
                    $"rollout {rollout.Id} of {rollout.Release} completed: {committed} of {rollout.DeviceCount} devices {(rollout.DownloadOnly ? "staged it (download-only) or already ran it" : "committed")}",
                    new Dictionary<string, string> { ["rollout"] = rollout.Id.ToString(CultureInfo.InvariantCulture), ["release"] = rollout.Release, ["committed"] = committed.ToString(CultureInfo.InvariantCulture) },
                    $"completed:{rollout.Id}",
                    cancellationToken);
                return;
            }

            rollout.CurrentWave++;
            waves[rollout.CurrentWave].StartedAt = now;
            transitions.Add($"promote to wave {rollout.CurrentWave + 1} of {waves.Count}");
        }
    }

    private async Task HaltAsync(OtterDbContext db, RolloutRow rollout, List<RolloutWaveRow> waves, RolloutWaveRow wave, int errors, int effective, DateTimeOffset now, List<string> transitions, CancellationToken cancellationToken)
    {
        rollout.Status = RolloutStatuses.Halted;
        rollout.HaltReason = $"wave {wave.Index + 1}: {errors} of {effective} devices failed, rolled back or timed out ({errors * 100.0 / effective:0.#}% > {rollout.ErrorPercent:0.#}%)";
        transitions.Add($"halt {rollout.HaltReason}");
        var reverted = await StopWaveAsync(db, rollout, waves, wave.Index, rollout.RollbackOnHalt, now, cancellationToken);
        if (reverted > 0)
        {
            transitions.Add($"rollback {reverted} devices of wave {wave.Index + 1} sent back to their previous release");
        }

        await alerts.RaiseAsync(
            db,
            AlertKinds.RolloutHalted,
            AlertKinds.Critical,
            $"rollout {rollout.Id}",
            $"rollout {rollout.Id} of {rollout.Release} halted: {rollout.HaltReason}",
            new Dictionary<string, string>
            {
                ["rollout"] = rollout.Id.ToString(CultureInfo.InvariantCulture),
                ["release"] = rollout.Release,
                ["wave"] = (wave.Index + 1).ToString(CultureInfo.InvariantCulture),
                ["errors"] = errors.ToString(CultureInfo.InvariantCulture),
                ["devices"] = effective.ToString(CultureInfo.InvariantCulture),
                ["rollback"] = rollout.RollbackOnHalt ? $"{reverted} devices sent back" : "off",
            },
            $"halted:{rollout.Id}:{wave.Index}:{now.ToUnixTimeSeconds()}",
            cancellationToken);
    }

    /// <summary>
    /// Stops a wave: devices assigned but not yet downloading go back to pending (a resume starts
    /// them again); with <paramref name="rollback"/>, every device that took or is taking the
    /// release is assigned its previous one.
    /// </summary>
    internal static async Task<int> StopWaveAsync(OtterDbContext db, RolloutRow rollout, List<RolloutWaveRow> waves, int waveIndex, bool rollback, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string[] touched = [RolloutDeviceStates.Assigned, RolloutDeviceStates.Downloading, RolloutDeviceStates.Installed, RolloutDeviceStates.Committed];
        var rows = await db.RolloutDevices.Where(d => d.RolloutId == rollout.Id && d.Wave == waveIndex && touched.Contains(d.State)).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.DeviceId).ToList();
        var devices = await db.Devices.Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, StringComparer.Ordinal, cancellationToken);
        var reverted = 0;
        foreach (var row in rows)
        {
            devices.TryGetValue(row.DeviceId, out var device);
            var owned = device is not null && device.AssignedRollout == rollout.Id;
            // A download-only rollout changed nothing that runs: there is nothing to send back.
            if (rollback && !rollout.DownloadOnly && row.PreviousRelease is { } previous && device is not null && (owned || row.State == RolloutDeviceStates.Committed))
            {
                device.AssignedRelease = previous;
                device.AssignmentState = "pending";
                device.AssignmentStageOnly = false;
                device.AssignedRollout = null;
                SetState(waves[row.Wave], row, RolloutDeviceStates.Reverted, now, $"sent back to {previous}");
                reverted++;
            }
            else if (row.State == RolloutDeviceStates.Assigned)
            {
                if (owned)
                {
                    device!.AssignedRelease = null;
                    device.AssignmentState = null;
                    device.AssignmentStageOnly = false;
                    device.AssignedRollout = null;
                }

                SetState(waves[row.Wave], row, RolloutDeviceStates.Pending, now, "stopped before it started");
                row.AssignedAt = null;
            }
        }

        return reverted;
    }

    private static async Task<(int Assigned, int Deferred)> AssignAsync(OtterDbContext db, RolloutRow rollout, RolloutWaveRow wave, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var budget = UnlimitedBatch;
        if (rollout.RatePerMinute is { } rate)
        {
            var perMinute = rollout.ExponentialRate ? (int)Math.Min(1_000_000, rate * Math.Pow(2, rollout.CurrentWave)) : rate;

            // A sliding minute: however the ticks fall, no 60 s span starts more than the rate.
            var since = now - TimeSpan.FromMinutes(1);
            var recent = await db.RolloutDevices.CountAsync(d => d.RolloutId == rollout.Id && d.AssignedAt > since, cancellationToken);
            budget = Math.Min(budget, perMinute - recent);
        }

        if (budget <= 0 || wave.Pending == 0)
        {
            return (0, 0);
        }

        var candidates = await db.RolloutDevices
            .Where(d => d.RolloutId == rollout.Id && d.Wave == wave.Index && d.State == RolloutDeviceStates.Pending && (d.NotBefore == null || d.NotBefore <= now))
            .OrderBy(d => d.Rank)
            .Take(budget * 2)
            .ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return (0, 0);
        }

        var ids = candidates.Select(c => c.DeviceId).ToList();
        // Untracked: the only change to a device here is its assignment, which AssignmentWriter writes.
        var devices = await db.Devices.AsNoTracking().Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, StringComparer.Ordinal, cancellationToken);
        var windows = (JsonSerializer.Deserialize(rollout.WindowsJson, ServerJsonContext.Default.ListString) ?? []).Select(MaintenanceWindow.Parse).ToList();
        var priorities = new Dictionary<long, int>();
        int assigned = 0, deferred = 0;
        AssignmentWriter? writer = null;
        try
        {
            foreach (var row in candidates)
            {
                if (assigned >= budget)
                {
                    break;
                }

                if (!devices.TryGetValue(row.DeviceId, out var device) || device.Status != DeviceStatuses.Approved)
                {
                    SetState(wave, row, RolloutDeviceStates.Skipped, now, device is null ? "device removed" : $"device is {device.Status}");
                    continue;
                }

                // Staging never reboots the device, so a download-only rollout does not wait for windows.
                if (!rollout.Force && !rollout.DownloadOnly && WindowFor(device, windows) is { } group && !group.Any(w => w.IsOpen(now)))
                {
                    row.NotBefore = group.Min(w => w.NextOpen(now));
                    row.Detail = $"waiting for its maintenance window ({string.Join("; ", group.Select(w => w.Text))})";
                    deferred++;
                    continue;
                }

                if (device.AssignedRollout is { } other && other != rollout.Id && device.AssignmentState is "pending" or RolloutDeviceStates.Downloading or RolloutDeviceStates.Installed)
                {
                    if (!priorities.TryGetValue(other, out var otherPriority))
                    {
                        otherPriority = priorities[other] = await db.Rollouts.Where(r => r.Id == other).Select(r => r.Priority).FirstOrDefaultAsync(cancellationToken);
                    }

                    if (rollout.Priority > otherPriority && device.AssignmentState == "pending")
                    {
                        // Not started yet: the higher-priority rollout takes the device.
                        var theirs = await db.RolloutDevices.FirstOrDefaultAsync(d => d.RolloutId == other && d.DeviceId == device.Id, cancellationToken);
                        if (theirs is not null)
                        {
                            theirs.State = RolloutDeviceStates.Pending;
                            theirs.AssignedAt = null;
                            theirs.NotBefore = now.AddMinutes(1);
                            theirs.Detail = $"preempted by rollout {rollout.Id} (priority {rollout.Priority})";
                            theirs.Dirty = true;
                            theirs.UpdatedAt = now;
                        }
                    }
                    else
                    {
                        row.NotBefore = now.AddMinutes(1);
                        row.Detail = $"busy with rollout {other} (priority {otherPriority})";
                        deferred++;
                        continue;
                    }
                }
                else if (device.AssignedRollout is null && device.AssignedRelease is not null && device.AssignmentState is "pending" or RolloutDeviceStates.Downloading or RolloutDeviceStates.Installed)
                {
                    row.NotBefore = now.AddMinutes(1);
                    row.Detail = $"busy with a manual assignment of {device.AssignedRelease}";
                    deferred++;
                    continue;
                }

                var running = device.BootedSlot is { } booted
                    && (JsonSerializer.Deserialize(device.SlotsJson, ServerJsonContext.Default.DictionaryStringSlotReport) ?? []).TryGetValue(booted, out var slot) ? slot : null;
                if (running?.Target == rollout.Release && running.State == "good")
                {
                    SetState(wave, row, RolloutDeviceStates.Committed, now, "already running the release");
                    continue;
                }

                row.PreviousRelease = running?.Target;
                device.AssignedRelease = rollout.Release;
                device.AssignmentState = "pending";
                device.AssignmentStageOnly = rollout.DownloadOnly;
                device.AssignedRollout = rollout.Id;
                row.AssignedAt = now;
                row.NotBefore = null;
                SetState(wave, row, RolloutDeviceStates.Assigned, now, null);
                writer ??= await AssignmentWriter.PrepareAsync(db, cancellationToken);
                await writer.WriteAsync(db, device, row, cancellationToken);
                assigned++;
            }
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
        }

        return (assigned, deferred);
    }

    private static List<MaintenanceWindow>? WindowFor(DeviceRow device, List<MaintenanceWindow> windows)
    {
        if (windows.Count == 0)
        {
            return null;
        }

        var tags = DeviceViews.Tags(device);
        var mine = windows.Where(w => tags.Contains(w.Group)).ToList();
        return mine.Count == 0 ? null : mine;
    }

    /// <summary>An engine-made change: counted at once (the row stays clean).</summary>
    private static void SetState(RolloutWaveRow wave, RolloutDeviceRow row, string state, DateTimeOffset now, string? detail)
    {
        if (row.Dirty)
        {
            // Fold the device's own change first so the counters stay exact.
            WaveCounters.Move(wave, row.CountedState, row.State);
            row.Dirty = false;
        }

        WaveCounters.Move(wave, row.State, state);
        row.State = state;
        row.CountedState = state;
        row.UpdatedAt = now;
        row.Detail = detail;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "rollout engine tick failed: {Problem}")]
    private static partial void LogTickFailed(ILogger logger, string problem);
}
