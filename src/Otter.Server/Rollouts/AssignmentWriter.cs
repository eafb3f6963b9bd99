using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Otter.Server.Data;

namespace Otter.Server.Rollouts;

/// <summary>
/// Writes the engine's assignments (the device's assignment columns and its rollout row) with two
/// prepared UPDATEs in the tick's transaction, then marks the tracked entities unchanged. Through
/// SaveChanges every one of a tick's 10,000 updates would be a command of its own plus change
/// detection over every tracked row: most of an assigning tick. Only the columns an assignment
/// sets are written, as SaveChanges would.
/// </summary>
internal sealed class AssignmentWriter : IAsyncDisposable
{
    private readonly DbCommand _device;
    private readonly DbCommand _row;

    private AssignmentWriter(DbCommand device, DbCommand row)
    {
        _device = device;
        _row = row;
    }

    public static async Task<AssignmentWriter> PrepareAsync(OtterDbContext db, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("assignments are written inside the tick's transaction.");
        var device = Command(
            connection,
            transaction,
            "UPDATE devices SET \"AssignedRelease\" = @release, \"AssignmentState\" = @state, \"AssignmentStageOnly\" = @stage, \"AssignedRollout\" = @rollout WHERE \"Id\" = @id",
            ("@release", DbType.String),
            ("@state", DbType.String),
            ("@stage", DbType.Boolean),
            ("@rollout", DbType.Int64),
            ("@id", DbType.String));
        var row = Command(
            connection,
            transaction,
            "UPDATE rollout_devices SET \"State\" = @state, \"CountedState\" = @state, \"Dirty\" = @dirty, \"UpdatedAt\" = @updated, \"Detail\" = @detail, "
            + "\"AssignedAt\" = @assigned, \"NotBefore\" = @notBefore, \"PreviousRelease\" = @previous WHERE \"RolloutId\" = @rollout AND \"DeviceId\" = @device",
            ("@state", DbType.String),
            ("@dirty", DbType.Boolean),
            ("@updated", DbType.Int64),
            ("@detail", DbType.String),
            ("@assigned", DbType.Int64),
            ("@notBefore", DbType.Int64),
            ("@previous", DbType.String),
            ("@rollout", DbType.Int64),
            ("@device", DbType.String));
        await device.PrepareAsync(cancellationToken);
        await row.PrepareAsync(cancellationToken);
        return new AssignmentWriter(device, row);
    }

    /// <summary>Writes <paramref name="device"/>'s assignment and <paramref name="row"/>, and tells EF they are saved.</summary>
    public async Task WriteAsync(OtterDbContext db, DeviceRow device, RolloutDeviceRow row, CancellationToken cancellationToken)
    {
        var p = _device.Parameters;
        p["@release"].Value = (object?)device.AssignedRelease ?? DBNull.Value;
        p["@state"].Value = (object?)device.AssignmentState ?? DBNull.Value;
        p["@stage"].Value = device.AssignmentStageOnly;
        p["@rollout"].Value = (object?)device.AssignedRollout ?? DBNull.Value;
        p["@id"].Value = device.Id;
        await _device.ExecuteNonQueryAsync(cancellationToken);
        p = _row.Parameters;
        p["@state"].Value = row.State;
        p["@dirty"].Value = row.Dirty;
        p["@updated"].Value = row.UpdatedAt.ToUnixTimeMilliseconds();
        p["@detail"].Value = (object?)row.Detail ?? DBNull.Value;
        p["@assigned"].Value = row.AssignedAt is { } assigned ? assigned.ToUnixTimeMilliseconds() : DBNull.Value;
        p["@notBefore"].Value = row.NotBefore is { } notBefore ? notBefore.ToUnixTimeMilliseconds() : DBNull.Value;
        p["@previous"].Value = (object?)row.PreviousRelease ?? DBNull.Value;
        p["@rollout"].Value = row.RolloutId;
        p["@device"].Value = row.DeviceId;
        await _row.ExecuteNonQueryAsync(cancellationToken);

        // The written values become EF's originals: SaveChanges has nothing left to send for them.
        // (The device may be untracked; then there is nothing to tell.)
        var entry = db.Entry(device);
        if (entry.State != EntityState.Detached)
        {
            entry.State = EntityState.Unchanged;
        }

        db.Entry(row).State = EntityState.Unchanged;
    }

    public async ValueTask DisposeAsync()
    {
        await _device.DisposeAsync();
        await _row.DisposeAsync();
    }

    /// <summary>Typed parameters, so that a null is typed too and a prepared statement keeps its plan.</summary>
    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, params (string Name, DbType Type)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = type;
            parameter.Value = DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
