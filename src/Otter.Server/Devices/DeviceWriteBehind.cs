using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Otter.Server.Data;

namespace Otter.Server.Devices;

/// <summary>
/// Routine check-ins (last seen, slots, health, the next nonce) are answered at once and written
/// by one background writer in batches: one transaction and one commit for many devices instead
/// of one each. Until a batch lands, requests see the pending values through <see cref="Overlay"/>.
/// Anything that changes an assignment, a rollout or an event is still written before answering.
/// A check-in that changes nothing but the last-seen time and the nonce is written at most once
/// per <c>last_seen_resolution_seconds</c> per device (memory has the exact values meanwhile). A
/// crash loses at most the last batch and those in-memory values: last-seen shows the last written
/// time, and a device's first quote after a restart is judged stale-nonce (the next one is fresh).
/// </summary>
internal sealed partial class DeviceWriteBehind(IServiceScopeFactory scopes, Setup.ServerState state, ILogger<DeviceWriteBehind> logger) : BackgroundService
{
    // Per device: the latest last-seen and nonce (kept in memory between writes) and the last-seen last written.
    private readonly ConcurrentDictionary<string, (DateTimeOffset LastSeen, string? Nonce, DateTimeOffset PersistedSeen)> _recent = new(StringComparer.Ordinal);
    private const int MaxBatch = 2000;
    private static readonly string[] ParameterNames = ["seen", "active", "booted", "counter", "health", "slots", "last", "nonce", "attestation", "detail", "measurement", "id"];
    private readonly ConcurrentDictionary<string, DeviceCheckInState> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly SemaphoreSlim _writing = new(1, 1);

    /// <summary>
    /// Records a check-in. It is written when its content changed, on a device's first check-in
    /// since the server started, or when the last-seen time written is older than
    /// <c>last_seen_resolution_seconds</c>; otherwise only memory keeps the newer last-seen and nonce.
    /// </summary>
    public void Enqueue(DeviceCheckInState checkIn, bool contentChanged)
    {
        ArgumentNullException.ThrowIfNull(checkIn);
        var resolution = TimeSpan.FromSeconds(state.Settings.LastSeenResolutionSeconds);
        var known = _recent.TryGetValue(checkIn.DeviceId, out var recent);
        var persist = contentChanged || !known || checkIn.LastSeen - recent.PersistedSeen >= resolution;
        _recent[checkIn.DeviceId] = (checkIn.LastSeen, checkIn.PendingNonce, persist ? checkIn.LastSeen : recent.PersistedSeen);
        if (persist)
        {
            _pending[checkIn.DeviceId] = checkIn;
            _signal.Release();
        }
    }

    /// <summary>Applies a device's pending routine state to a row just read.</summary>
    public void Overlay(DeviceRow device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (_pending.TryGetValue(device.Id, out var pending) && (device.LastSeen is null || device.LastSeen <= pending.LastSeen))
        {
            device.LastSeen = pending.LastSeen;
            device.ActiveSlot = pending.ActiveSlot;
            device.BootedSlot = pending.BootedSlot;
            device.SecurityCounter = pending.SecurityCounter;
            device.Health = pending.Health;
            device.SlotsJson = pending.SlotsJson;
            device.LastResultJson = pending.LastResultJson;
            device.PendingNonce = pending.PendingNonce;
            device.Attestation = pending.Attestation;
            device.AttestationDetail = pending.AttestationDetail;
            device.Measurement = pending.Measurement;
        }

        if (_recent.TryGetValue(device.Id, out var recent) && (device.LastSeen is null || device.LastSeen < recent.LastSeen))
        {
            device.LastSeen = recent.LastSeen;
            device.PendingNonce = recent.Nonce;
        }
    }

    /// <summary>Writes everything pending now.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            while (!_pending.IsEmpty)
            {
                var batch = _pending.Take(MaxBatch).Select(p => p.Value).ToList();
                await WriteAsync(batch, cancellationToken);
                foreach (var state in batch)
                {
                    // Only if no newer state arrived meanwhile.
                    _pending.TryRemove(new KeyValuePair<string, DeviceCheckInState>(state.DeviceId, state));
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(CancellationToken.None);
    }

    public override void Dispose()
    {
        _signal.Dispose();
        _writing.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(stoppingToken);
                await FlushAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException or DbUpdateException)
            {
                LogFailed(logger, ex.Message);
                await Task.Delay(100, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task WriteAsync(List<DeviceCheckInState> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OtterDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;

        // Never overwrite a newer check-in (a write from before a restart, or another replica).
        command.CommandText = "UPDATE devices SET \"LastSeen\" = @seen, \"ActiveSlot\" = @active, \"BootedSlot\" = @booted, \"SecurityCounter\" = @counter, "
            + "\"Health\" = @health, \"SlotsJson\" = @slots, \"LastResultJson\" = @last, \"PendingNonce\" = @nonce, \"Attestation\" = @attestation, "
            + "\"AttestationDetail\" = @detail, \"Measurement\" = @measurement WHERE \"Id\" = @id AND (\"LastSeen\" IS NULL OR \"LastSeen\" <= @seen)";
        var parameters = ParameterNames.ToDictionary(name => name, name =>
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + name;
                command.Parameters.Add(parameter);
                return parameter;
            });
        foreach (var state in batch)
        {
            parameters["seen"].Value = state.LastSeen.ToUnixTimeMilliseconds();
            parameters["active"].Value = (object?)state.ActiveSlot ?? DBNull.Value;
            parameters["booted"].Value = (object?)state.BootedSlot ?? DBNull.Value;
            parameters["counter"].Value = state.SecurityCounter;
            parameters["health"].Value = (object?)state.Health ?? DBNull.Value;
            parameters["slots"].Value = state.SlotsJson;
            parameters["last"].Value = (object?)state.LastResultJson ?? DBNull.Value;
            parameters["nonce"].Value = (object?)state.PendingNonce ?? DBNull.Value;
            parameters["attestation"].Value = state.Attestation;
            parameters["detail"].Value = (object?)state.AttestationDetail ?? DBNull.Value;
            parameters["measurement"].Value = (object?)state.Measurement ?? DBNull.Value;
            parameters["id"].Value = state.DeviceId;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "writing check-in state failed (retrying): {Problem}")]
    private static partial void LogFailed(ILogger logger, string problem);
}
