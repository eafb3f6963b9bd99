using Microsoft.EntityFrameworkCore;
using Otter.Server.Setup;

namespace Otter.Server.Data;

/// <summary>Creates the schema on first use and says clearly when the database cannot be reached.</summary>
internal static class DatabaseSchema
{
    public static async Task EnsureAsync(OtterDbContext db, string? database, CancellationToken cancellationToken)
    {
        try
        {
            // The schema is created whole from the model on an empty database (no migrations yet: version 1).
            await db.Database.EnsureCreatedAsync(cancellationToken);
            if (db.Database.IsSqlite())
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is System.Data.Common.DbException or InvalidOperationException)
        {
            throw new ServerSetupException($"cannot open the database {DatabaseOptions.Redact(database)}: {ex.Message}", ex);
        }
    }
}
