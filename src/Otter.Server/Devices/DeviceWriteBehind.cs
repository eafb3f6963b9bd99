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
/// A crash loses at most the last batch of routine state (a few milliseconds), which the devices
/// report again at their next check-in.
/// </summary>
internal sealed partial class DeviceWriteBehind(IServiceScopeFactory scopes, ILogger<DeviceWriteBehind> logger) : BackgroundService
{
    private const int MaxBatch = 2000;
    private static readonly string[] ParameterNames = ["seen", "active", "booted", "counter", "health", "slots", "last", "nonce", "attestation", "detail", "measurement", "id"];
    private readonly ConcurrentDictionary<string, DeviceCheckInState> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly SemaphoreSlim _writing = new(1, 1);

    public void Enqueue(DeviceCheckInState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _pending[state.DeviceId] = state;
        _signal.Release();
    }

    /// <summary>Applies a device's pending routine state to a row just read.</summary>
    public void Overlay(DeviceRow device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (_pending.TryGetValue(device.Id, out var state) && (device.LastSeen is null || device.LastSeen <= state.LastSeen))
        {
            device.LastSeen = state.LastSeen;
            device.ActiveSlot = state.ActiveSlot;
            device.BootedSlot = state.BootedSlot;
            device.SecurityCounter = state.SecurityCounter;
            device.Health = state.Health;
            device.SlotsJson = state.SlotsJson;
            device.LastResultJson = state.LastResultJson;
            device.PendingNonce = state.PendingNonce;
            device.Attestation = state.Attestation;
            device.AttestationDetail = state.AttestationDetail;
            device.Measurement = state.Measurement;
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
