using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Otter.Server.Data;
using Otter.Server.Setup;

namespace Otter.Server.Devices;

/// <summary>
/// The device API's one read per request: a prepared <c>SELECT</c> by primary key on connections
/// kept open, without an EF Core context. It returns an untracked row (attach it to change it).
/// </summary>
internal sealed class DeviceLookup(ServerState state) : IDisposable
{
    // Every column of devices, in this order; DeviceLookupTests checks it against the EF model.
    internal static readonly string[] Columns =
    [
        "Id", "Hardware", "Status", "PublicKeyPem", "CertificateSha256", "CertificateNotAfter", "TokenSecret", "FactoryIssuer", "FactorySerial",
        "TagsJson", "AttributesJson", "SlotsJson", "ActiveSlot", "BootedSlot", "SecurityCounter", "LastSeen", "Health", "Attestation",
        "AttestationDetail", "Measurement", "LastResultJson", "PendingNonce", "AssignedRelease", "AssignmentState", "AssignedRollout",
        "LastPatchedAt", "EnrolledAt", "AssignmentStageOnly",
    ];

    private static readonly string Sql = $"SELECT {string.Join(", ", Columns.Select(c => "\"" + c + "\""))} FROM devices WHERE \"Id\" = @id";
    private readonly ConcurrentBag<(DbConnection Connection, DbCommand Command)> _idle = [];

    public async Task<DeviceRow?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var (connection, command) = _idle.TryTake(out var lease) ? lease : await OpenAsync(cancellationToken);
        var healthy = false;
        try
        {
            command.Parameters[0].Value = id;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var row = await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
            healthy = true;
            return row;
        }
        finally
        {
            if (healthy && _idle.Count < 64)
            {
                _idle.Add((connection, command));
            }
            else
            {
                await command.DisposeAsync();
                await connection.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var lease))
        {
            lease.Command.Dispose();
            lease.Connection.Dispose();
        }
    }

    private async Task<(DbConnection, DbCommand)> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = DatabaseOptions.IsPostgres(state.Settings.Database)
            ? new NpgsqlConnection(DatabaseOptions.ToNpgsql(state.Settings.Database!))
            : new SqliteConnection($"Data Source={state.Paths.SqliteDatabase};Pooling=True");
        await connection.OpenAsync(cancellationToken);
        var command = connection.CreateCommand();
        command.CommandText = Sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        parameter.Value = string.Empty;
        command.Parameters.Add(parameter);
        await command.PrepareAsync(cancellationToken);
        return (connection, command);
    }

    private static DeviceRow Read(DbDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        long? Number(int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
        DateTimeOffset? Time(int i) => Number(i) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return new DeviceRow
        {
            Id = reader.GetString(0),
            Hardware = reader.GetString(1),
            Status = reader.GetString(2),
            PublicKeyPem = reader.GetString(3),
            CertificateSha256 = Text(4),
            CertificateNotAfter = Time(5),
            TokenSecret = reader.IsDBNull(6) ? null : (byte[])reader.GetValue(6),
            FactoryIssuer = reader.GetString(7),
            FactorySerial = reader.GetString(8),
            TagsJson = reader.GetString(9),
            AttributesJson = reader.GetString(10),
            SlotsJson = reader.GetString(11),
            ActiveSlot = Text(12),
            BootedSlot = Text(13),
            SecurityCounter = reader.GetInt64(14),
            LastSeen = Time(15),
            Health = Text(16),
            Attestation = reader.GetString(17),
            AttestationDetail = Text(18),
            Measurement = Text(19),
            LastResultJson = Text(20),
            PendingNonce = Text(21),
            AssignedRelease = Text(22),
            AssignmentState = Text(23),
            AssignedRollout = Number(24),
            LastPatchedAt = Time(25),
            EnrolledAt = Time(26)!.Value,
            AssignmentStageOnly = reader.GetBoolean(27),
        };
    }
}
