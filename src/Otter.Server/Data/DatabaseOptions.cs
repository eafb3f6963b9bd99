using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Otter.Server.Data;

/// <summary>Turns the configured database into EF Core options: SQLite in the data directory by default, PostgreSQL for a <c>postgres://</c> URL or an Npgsql connection string.</summary>
internal static class DatabaseOptions
{
    /// <summary>Whether <paramref name="database"/> names PostgreSQL.</summary>
    public static bool IsPostgres(string? database) =>
        database is not null && (database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || database.Contains("Host=", StringComparison.OrdinalIgnoreCase));

    public static void Configure(DbContextOptionsBuilder builder, string? database, string sqlitePath)
    {
        if (IsPostgres(database))
        {
            builder.UseNpgsql(ToNpgsql(database!));
        }
        else if (database is null)
        {
            builder.UseSqlite($"Data Source={sqlitePath};Pooling=True");
        }
        else
        {
            throw new Setup.ServerSetupException($"--database {Redact(database)} is neither a postgres:// URL nor an Npgsql connection string; leave it out for the SQLite default.");
        }
    }

    /// <summary>The database for messages, without its password.</summary>
    public static string Redact(string? database)
    {
        if (database is null)
        {
            return "sqlite";
        }

        if (Uri.TryCreate(database, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0)
        {
            return database.Replace(uri.UserInfo, uri.UserInfo.Split(':')[0] + ":***", StringComparison.Ordinal);
        }

        return System.Text.RegularExpressions.Regex.Replace(database, "(?i)password=[^;]*", "Password=***");
    }

    /// <summary>A <c>postgres://user:password@host:port/database?…</c> URL as an Npgsql connection string.</summary>
    public static string ToNpgsql(string database)
    {
        if (!database.Contains("://", StringComparison.Ordinal))
        {
            return database;
        }

        if (!Uri.TryCreate(database, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new Setup.ServerSetupException($"--database {Redact(database)} is not a valid postgres:// URL (postgres://user:password@host:5432/database).");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0]).Replace('_', ' ')] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true";
        }

        return builder.ConnectionString;
    }
}
