using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

using Microsoft.Data.Sqlite;

using Otter.Protocol.Device;
using Otter.Protocol.Management;
using Otter.Server.Setup;

namespace Otter.Benchmarks;

/// <summary>
/// Bulk-inserts device rows straight into the server's SQLite file (the server stopped): one
/// transaction, one prepared statement. Rows look like devices that enrolled over the past year
/// and checked in within the last day: a P-256 public key, certificate hash and expiry, token
/// secret, factory issuer and serial, slots as the server itself serialises them.
/// </summary>
internal static class DeviceTableFiller
{
    // The columns this fills; every NOT NULL column of the table must be among them (checked).
    private static readonly string[] Columns =
    [
        "Id", "Hardware", "Status", "PublicKeyPem", "CertificateSha256", "CertificateNotAfter", "TokenSecret",
        "FactoryIssuer", "FactorySerial", "TagsJson", "AttributesJson", "SlotsJson", "ActiveSlot", "BootedSlot",
        "SecurityCounter", "LastSeen", "Health", "Attestation", "PendingNonce", "EnrolledAt", "AssignmentStageOnly",
    ];

    // DER SubjectPublicKeyInfo header of an uncompressed P-256 point (the 65 bytes 04 || X || Y follow).
    private static readonly byte[] P256SpkiHeader = Convert.FromHexString("3059301306072a8648ce3d020106082a8648ce3d030107034200");

    private static readonly string[] Hardware = ["gw-x2", "gw-x2", "gw-x2", "gw-x1", "sensor-m4"];

    private static readonly string[] Tags = ["[]", "[\"ring-canary\"]", "[\"site-berlin\",\"ring-b\"]", "[\"site-lyon\",\"ring-a\"]"];

    /// <summary>Inserts devices <c>DeviceIds.For(first)</c> … <c>DeviceIds.For(first + count - 1)</c>; returns the seconds it took.</summary>
    /// <param name="database">The stopped (or idle) server's SQLite file.</param>
    /// <param name="first">The index of the first device id.</param>
    /// <param name="count">How many rows.</param>
    /// <param name="factoryIssuer">The factory CA's subject, as enrollment records it.</param>
    /// <param name="hardware">Every row this hardware (a rollout selects one hardware); a mix of three when null.</param>
    /// <param name="secrets">When given (<paramref name="count"/> long), receives each row's token secret, for devices that sign their requests.</param>
    public static double Fill(string database, long first, int count, string factoryIssuer, string? hardware = null, byte[][]? secrets = null)
    {
        if (secrets is not null && secrets.Length != count)
        {
            throw new ArgumentException($"secrets has {secrets.Length} places for {count} rows", nameof(secrets));
        }

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        // ServerInitializer wrote the first rows through EF Core in this process, whose pooled
        // connection would otherwise stay open and keep the journal mode from changing.
        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        connection.Open();
        CheckColumns(connection);

        // A bulk load into a file nobody else has open: no journal (the pages are written once, to
        // the database, instead of to the WAL and then the database), no fsync, and a page cache
        // large enough for the indexes. The file goes back to WAL, as the server left it, at the end.
        Execute(connection, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY;");
        var slots = SlotVariants();
        var random = new Random(20240611);
        var now = DateTimeOffset.UtcNow;
        var point = new byte[65];
        var secret = new byte[32];
        var hash = new byte[32];
        var nonce = new byte[16];
        var serial = new byte[12];
        using (var transaction = connection.BeginTransaction())
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO devices ({string.Join(", ", Columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", Columns.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)))})";
            var p = Columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter("$p" + i.ToString(CultureInfo.InvariantCulture), null))).ToArray();
            insert.Prepare();
            for (var i = 0; i < count; i++)
            {
                random.NextBytes(point);
                point[0] = 0x04;
                random.NextBytes(secret);
                random.NextBytes(hash);
                random.NextBytes(nonce);
                random.NextBytes(serial);
                serial[0] &= 0x7F;
                var enrolled = now.AddSeconds(-random.Next(60, 365 * 86400));
                var slot = slots[random.Next(slots.Length)];
                p[0].Value = DeviceIds.For(first + i);
                // Drawn either way, so that the rest of a row is the same with or without a fixed hardware.
                var mixed = Hardware[random.Next(Hardware.Length)];
                p[1].Value = hardware ?? mixed;
                p[2].Value = DeviceStatuses.Approved;
                p[3].Value = PemEncoding.WriteString("PUBLIC KEY", [.. P256SpkiHeader, .. point]);
                p[4].Value = Convert.ToHexStringLower(hash);
                p[5].Value = enrolled.AddDays(365).ToUnixTimeMilliseconds();
                var rowSecret = (byte[])secret.Clone();
                p[6].Value = rowSecret;
                if (secrets is not null)
                {
                    secrets[i] = rowSecret;
                }

                p[7].Value = factoryIssuer;
                p[8].Value = Convert.ToHexString(serial);
                p[9].Value = Tags[random.Next(Tags.Length)];
                p[10].Value = "{}";
                p[11].Value = slot.Json;
                p[12].Value = slot.Active;
                p[13].Value = slot.Active;
                p[14].Value = slot.Counter;
                p[15].Value = now.AddSeconds(-random.Next(0, 86400)).ToUnixTimeMilliseconds();
                p[16].Value = "healthy";
                p[17].Value = "unknown";
                p[18].Value = Convert.ToHexStringLower(nonce);
                p[19].Value = enrolled.ToUnixTimeMilliseconds();
                p[20].Value = false;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        Execute(connection, "PRAGMA journal_mode=WAL;");
        return stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>The number of rows in the devices table.</summary>
    public static long Count(string database)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM devices";
        return (long)command.ExecuteScalar()!;
    }

    private static void CheckColumns(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, \"notnull\", dflt_value FROM pragma_table_info('devices')";
        using var reader = command.ExecuteReader();
        var missing = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var name = reader.GetString(0);
            seen.Add(name);
            if (reader.GetInt64(1) == 1 && reader.IsDBNull(2) && !Columns.Contains(name, StringComparer.Ordinal))
            {
                missing.Add(name);
            }
        }

        var unknown = Columns.Where(c => !seen.Contains(c)).ToList();
        if (seen.Count == 0 || missing.Count > 0 || unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"the devices table does not have the columns the bench fills (required but not filled: {string.Join(", ", missing)}; filled but absent: {string.Join(", ", unknown)}); update {nameof(DeviceTableFiller)} to the server's schema.");
        }
    }

    private static (string Json, string Active, long Counter)[] SlotVariants()
    {
        static string Slots(Dictionary<string, SlotReport> slots) =>
            JsonSerializer.Serialize(slots, ServerJsonContext.Default.DictionaryStringSlotReport);
        var variants = new List<(string, string, long)>();
        foreach (var (version, counter) in new[] { ("1.4.2", 3L), ("1.5.0", 4L), ("1.5.1", 4L) })
        {
            var target = $"{BenchDevice.Hardware}/fw-{version}.otb";
            variants.Add((Slots(new Dictionary<string, SlotReport>(StringComparer.Ordinal)
            {
                ["a"] = new() { State = "good", Version = version, SecurityCounter = counter, Target = target },
                ["b"] = new() { State = "good", Version = "1.3.9", SecurityCounter = 2, Target = $"{BenchDevice.Hardware}/fw-1.3.9.otb" },
            }), "a", counter));
            variants.Add((Slots(new Dictionary<string, SlotReport>(StringComparer.Ordinal)
            {
                ["a"] = new() { State = "empty" },
                ["b"] = new() { State = "good", Version = version, SecurityCounter = counter, Target = target },
            }), "b", counter));
        }

        return [.. variants];
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
