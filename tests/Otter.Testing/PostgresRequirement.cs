using Npgsql;

namespace Otter.Testing;

/// <summary>
/// The PostgreSQL server tests use: <c>OTTER_TEST_POSTGRES</c> (an Npgsql connection string to a
/// role that may create databases), which <c>scripts/test</c> sets after starting Debian's
/// PostgreSQL on loopback. Each test gets a fresh database.
/// </summary>
public static class PostgresRequirement
{
    /// <summary>The admin connection string, or null.</summary>
    public static string? ConnectionString => Environment.GetEnvironmentVariable("OTTER_TEST_POSTGRES");

    /// <summary>Why the requirement is not met, or null.</summary>
    public static string? Missing() =>
        ConnectionString is null ? "OTTER_TEST_POSTGRES is not set (scripts/test starts PostgreSQL and sets it)" : null;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString ?? throw new InvalidOperationException(Missing()));
        var name = "otter_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {name}";
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name }.ConnectionString;
    }
}
