using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Otter.Server.Data;

namespace Otter.Server.Rollouts;

/// <summary>
/// Writes a new rollout's device rows in the caller's transaction with prepared multi-row INSERTs.
/// EF's change tracker costs gigabytes and minutes at a million rows; this writes the same rows
/// (the engine's columns and the converter's Unix milliseconds) in a fraction of both, on SQLite
/// and PostgreSQL alike.
/// </summary>
internal static class RolloutRowWriter
{
    // 3 parameters a row (4 shared): 1,504 a statement, well under SQLite's 32,766 and PostgreSQL's 65,535.
    private const int RowsPerStatement = 500;

    private static readonly string[] Columns = ["RolloutId", "DeviceId", "Wave", "Rank", "State", "CountedState", "Dirty", "UpdatedAt"];

    public static async Task InsertAsync(OtterDbContext db, IReadOnlyList<RolloutDeviceRow> rows, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("rollout rows are written inside the rollout's transaction.");
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += RowsPerStatement)
            {
                var count = Math.Min(RowsPerStatement, rows.Count - start);
                if (count == RowsPerStatement)
                {
                    full ??= await PrepareAsync(connection, transaction, count, cancellationToken);
                    await ExecuteAsync(full, rows, start, count, cancellationToken);
                }
                else
                {
                    await using var tail = await PrepareAsync(connection, transaction, count, cancellationToken);
                    await ExecuteAsync(tail, rows, start, count, cancellationToken);
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    private static async Task<DbCommand> PrepareAsync(DbConnection connection, DbTransaction transaction, int count, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder("INSERT INTO rollout_devices (")
            .AppendJoin(", ", Columns.Select(c => "\"" + c + "\""))
            .Append(") VALUES ");
        for (var r = 0; r < count; r++)
        {
            sql.Append(r == 0 ? string.Empty : ", ").Append($"(@rollout, @d{r}, @w{r}, @k{r}, @pending, @pending, @dirty, @now)");
        }

        command.CommandText = sql.ToString();
        Add(command, "@rollout", 0L);
        Add(command, "@pending", RolloutDeviceStates.Pending);
        Add(command, "@dirty", false);
        Add(command, "@now", 0L);
        for (var r = 0; r < count; r++)
        {
            Add(command, $"@d{r}", string.Empty);
            Add(command, $"@w{r}", 0);
            Add(command, $"@k{r}", 0L);
        }

        await command.PrepareAsync(cancellationToken);
        return command;
    }

    private static async Task ExecuteAsync(DbCommand command, IReadOnlyList<RolloutDeviceRow> rows, int start, int count, CancellationToken cancellationToken)
    {
        var parameters = command.Parameters;
        parameters["@rollout"].Value = rows[start].RolloutId;
        parameters["@now"].Value = rows[start].UpdatedAt.ToUnixTimeMilliseconds();
        for (var r = 0; r < count; r++)
        {
            var row = rows[start + r];
            // Added after the four shared ones, three a row: device, wave, rank.
            parameters[4 + (3 * r)].Value = row.DeviceId;
            parameters[5 + (3 * r)].Value = row.Wave;
            parameters[6 + (3 * r)].Value = row.Rank;
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
