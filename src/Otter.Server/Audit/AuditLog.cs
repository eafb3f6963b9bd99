using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Otter.Protocol.Management;
using Otter.Server.Data;
using Otter.Server.Setup;
using Otter.Trust.IO;

namespace Otter.Server.Audit;

/// <summary>
/// The hash-chained audit log: row n stores SHA-256 over row n-1's hash and its own fields, so
/// editing or deleting a row breaks every later link; the newest row is also recorded in
/// <c>audit-head.json</c> so that deleting the newest rows shows too.
/// </summary>
internal sealed class AuditLog(ServerPaths paths, TimeProvider time) : IDisposable
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    // One writer at a time per server; PostgreSQL replicas also take an advisory lock.
    private readonly SemaphoreSlim _writer = new(1, 1);
    private const long AdvisoryLockKey = 0x6f7474657261756c; // "otteraul"

    /// <summary>Appends a row inside its own transaction.</summary>
    public async Task<AuditRow> AppendAsync(OtterDbContext db, string actor, string action, string subject, string? detail, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);
            }

            var last = await db.Audit.AsNoTracking().OrderByDescending(a => a.Sequence).FirstOrDefaultAsync(cancellationToken);
            var row = new AuditRow
            {
                Sequence = (last?.Sequence ?? 0) + 1,
                At = time.GetUtcNow(),
                Actor = actor,
                Action = action,
                Subject = subject,
                Detail = detail,
                PreviousHash = last?.Hash ?? Genesis,
                Hash = string.Empty,
            };
            row.Hash = HashOf(row);
            db.Audit.Add(row);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            DurableFiles.WriteAtomic(paths.AuditHead, JsonSerializer.SerializeToUtf8Bytes(new AuditHead(row.Sequence, row.Hash), ServerJsonContext.Default.AuditHead));
            return row;
        }
        finally
        {
            _writer.Release();
        }
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>Checks every row's link and hash, and that the chain reaches the recorded head.</summary>
    public async Task<AuditVerification> VerifyAsync(OtterDbContext db, CancellationToken cancellationToken)
    {
        var previous = Genesis;
        long expected = 1;
        await foreach (var row in db.Audit.AsNoTracking().OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var entry = ToEntry(row);
            if (Check(entry, expected, previous) is { } problem)
            {
                return new AuditVerification { Valid = false, Entries = expected - 1, FirstBadSequence = expected, Problem = problem, Head = previous };
            }

            previous = row.Hash;
            expected++;
        }

        var count = expected - 1;
        var head = ReadHead();
        if (head is not null && (head.Sequence > count || (head.Sequence == count && head.Hash != previous)))
        {
            return new AuditVerification
            {
                Valid = false,
                Entries = count,
                Head = previous,
                FirstBadSequence = Math.Min(head.Sequence, count + 1),
                Problem = $"the audit log ends at row {count} but row {head.Sequence} ({head.Hash[..12]}…) was written: rows were deleted from the end",
            };
        }

        return new AuditVerification { Valid = true, Entries = count, Head = previous };
    }

    /// <summary>Checks an exported chain (what <c>otter audit verify --file</c> reads): links, hashes and sequence numbers.</summary>
    public static AuditVerification VerifyExport(IReadOnlyList<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var previous = Genesis;
        long expected = entries.Count > 0 ? entries[0].Sequence : 1;
        if (entries.Count > 0 && expected != 1)
        {
            // A partial export starts from the previous hash it states.
            previous = entries[0].PreviousHash;
        }

        foreach (var entry in entries)
        {
            if (Check(entry, expected, previous) is { } problem)
            {
                return new AuditVerification { Valid = false, Entries = expected - entries[0].Sequence, FirstBadSequence = expected, Problem = problem, Head = previous };
            }

            previous = entry.Hash;
            expected++;
        }

        return new AuditVerification { Valid = true, Entries = entries.Count, Head = previous };
    }

    public static AuditEntry ToEntry(AuditRow row) => new()
    {
        Sequence = row.Sequence,
        At = row.At,
        Actor = row.Actor,
        Action = row.Action,
        Subject = row.Subject,
        Detail = row.Detail,
        PreviousHash = row.PreviousHash,
        Hash = row.Hash,
    };

    private static string? Check(AuditEntry entry, long expected, string previous)
    {
        if (entry.Sequence != expected)
        {
            return $"row {expected} is missing (found {entry.Sequence} in its place): rows were deleted";
        }

        if (entry.PreviousHash != previous)
        {
            return $"row {entry.Sequence} does not link to row {entry.Sequence - 1}: a row before it was changed or deleted";
        }

        var hash = HashOf(entry.Sequence, entry.At, entry.Actor, entry.Action, entry.Subject, entry.Detail, entry.PreviousHash);
        return string.Equals(hash, entry.Hash, StringComparison.Ordinal)
            ? null
            : $"row {entry.Sequence} does not match its hash: it was edited";
    }

    private AuditHead? ReadHead()
    {
        if (!File.Exists(paths.AuditHead))
        {
            return null;
        }

        return JsonSerializer.Deserialize(File.ReadAllBytes(paths.AuditHead), ServerJsonContext.Default.AuditHead);
    }

    private static string HashOf(AuditRow row) => HashOf(row.Sequence, row.At, row.Actor, row.Action, row.Subject, row.Detail, row.PreviousHash);

    private static string HashOf(long sequence, DateTimeOffset at, string actor, string action, string subject, string? detail, string previous)
    {
        // A JSON array is an unambiguous encoding of the fields (no separator can be forged).
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue("otter-audit-v1");
            writer.WriteStringValue(previous);
            writer.WriteStringValue(sequence.ToString(CultureInfo.InvariantCulture));
            writer.WriteStringValue(at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
            writer.WriteStringValue(actor);
            writer.WriteStringValue(action);
            writer.WriteStringValue(subject);
            if (detail is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(detail);
            }

            writer.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }
}
