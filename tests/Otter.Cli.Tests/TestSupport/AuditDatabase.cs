using Microsoft.Data.Sqlite;

namespace Otter.Cli.Tests.TestSupport;

/// <summary>Tampers with a test server's audit table directly in its SQLite file, as an attacker with database access could.</summary>
internal static class AuditDatabase
{
    public static async Task<long> LastSequenceAsync(ServerFixture server)
    {
        await using var connection = await OpenAsync(server);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(Sequence) FROM audit";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Rewrites the actor of row <paramref name="sequence"/>, leaving its hash as it was.</summary>
    public static Task EditActorAsync(ServerFixture server, long sequence, string actor) =>
        ExecuteAsync(server, "UPDATE audit SET Actor = $actor WHERE Sequence = $sequence", ("$actor", actor), ("$sequence", sequence));

    public static Task DeleteAsync(ServerFixture server, long sequence) =>
        ExecuteAsync(server, "DELETE FROM audit WHERE Sequence = $sequence", ("$sequence", sequence));

    private static async Task ExecuteAsync(ServerFixture server, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(server);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private static async Task<SqliteConnection> OpenAsync(ServerFixture server)
    {
        // No pooling: the file must not stay open after the test's edit.
        var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "otter.db")};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }
}
