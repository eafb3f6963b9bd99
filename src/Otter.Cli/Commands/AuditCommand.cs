using System.CommandLine;
using System.Text.Json;
using Otter.Cli.Cli;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Audit;
using Otter.Trust.IO;

namespace Otter.Cli.Commands;

/// <summary><c>otter audit export|verify</c>: the server's hash-chained audit log, checked here as well as on the server.</summary>
internal static class AuditCommand
{
    // The server's largest page; fewer rows back means the last page.
    private const int PageSize = 10_000;

    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("audit", "Export and verify the server's hash-chained audit log (auditor or admin key).");
        command.Subcommands.Add(Export(environment));
        command.Subcommands.Add(Verify(environment));
        return command;
    }

    private static Command Export(CliEnvironment environment)
    {
        var output = new Option<string>("--out") { Description = "Write the export to this file (must not exist) instead of stdout." };
        var server = new ServerOptions();
        var command = server.AddTo(new Command("export", "Export every audit row, in order, as a JSON array (all pages).") { output });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(output);
            if (path is not null)
            {
                CheckNewFile(path);
            }

            using var client = server.Connect(parse, environment);
            var entries = await ExportAsync(client, cancellationToken);
            if (path is null)
            {
                Output.Json(environment.Output, entries, ProtocolJsonContext.Default.ListAuditEntry);
                return ExitCodes.Success;
            }

            DurableFiles.WriteAtomic(path, Output.JsonBytes(entries, ProtocolJsonContext.Default.ListAuditEntry));
            environment.Output.WriteLine(entries.Count == 0
                ? $"exported 0 audit rows to {path}"
                : $"exported {entries.Count} audit rows (1 to {entries[^1].Sequence}, head {entries[^1].Hash}) to {path}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify(CliEnvironment environment)
    {
        var file = new Option<string>("--file") { Description = "Verify this export (from `otter audit export`) offline instead of asking the server." };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("verify", "Check the audit chain on the server and again here from an export; exit 0 valid, 1 broken.") { file, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file);
            var report = path is null
                ? await VerifyOnlineAsync(server.Connect(parse, environment), cancellationToken)
                : await VerifyFileAsync(path, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, report, ManagementJsonContext.Default.AuditReport);
            }
            else
            {
                WriteReport(environment.Output, report);
            }

            if (report.Valid)
            {
                return ExitCodes.Success;
            }

            await environment.Error.WriteLineAsync($"otter: the audit log is broken at row {report.FirstBadSequence}: {report.Problem}");
            return ExitCodes.VerificationFailed;
        });
        return command;
    }

    private static async Task<AuditReport> VerifyOnlineAsync(ManagementClient connected, CancellationToken cancellationToken)
    {
        using var client = connected;
        // The server's verdict first, then the export: rows appended in between only extend the export.
        var remote = await client.GetAsync("api/v1/audit/verify", ProtocolJsonContext.Default.AuditVerification, cancellationToken);
        var entries = await ExportAsync(client, cancellationToken);
        var local = AuditLog.VerifyExport(entries);
        var (firstBad, problem) = (remote.Valid, local.Valid) switch
        {
            (false, false) when local.FirstBadSequence < remote.FirstBadSequence => (local.FirstBadSequence, "(checked here) " + local.Problem),
            (false, _) => (remote.FirstBadSequence, remote.Problem),
            (true, false) => (local.FirstBadSequence, "(checked here; the server said valid) " + local.Problem),
            _ => HeadMismatch(remote, entries),
        };
        return new AuditReport { Valid = problem is null, FirstBadSequence = firstBad, Problem = problem, Server = remote, Local = local };
    }

    /// <summary>The export must contain, at the position the server verified up to, the head the server reported.</summary>
    private static (long? FirstBad, string? Problem) HeadMismatch(AuditVerification remote, List<AuditEntry> entries)
    {
        if (remote.Entries == 0)
        {
            return (null, null);
        }

        if (entries.Count < remote.Entries)
        {
            return (entries.Count + 1, $"the server verified {remote.Entries} rows but exported only {entries.Count}: rows vanished between the two requests");
        }

        var row = entries[(int)(remote.Entries - 1)];
        return row.Hash == remote.Head
            ? (null, null)
            : (row.Sequence, $"the server verified a head {remote.Head} at row {remote.Entries} but exported a row {row.Sequence} with hash {row.Hash}");
    }

    private static async Task<AuditReport> VerifyFileAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--file {path} does not exist; make an export with `otter audit export --out FILE`.");
        }

        List<AuditEntry>? entries;
        try
        {
            await using var stream = File.OpenRead(path);
            entries = await JsonSerializer.DeserializeAsync(stream, ProtocolJsonContext.Default.ListAuditEntry, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--file {path} is not an audit export (a JSON array of rows as `otter audit export` writes): {ex.Message}");
        }

        if (entries is null || entries.Any(e => e is null))
        {
            throw new UsageException($"--file {path} is not an audit export: it holds null where rows belong.");
        }

        var local = AuditLog.VerifyExport(entries);
        return new AuditReport { Valid = local.Valid, FirstBadSequence = local.FirstBadSequence, Problem = local.Problem, File = path, Local = local };
    }

    private static async Task<List<AuditEntry>> ExportAsync(ManagementClient client, CancellationToken cancellationToken)
    {
        var entries = new List<AuditEntry>();
        long after = 0;
        while (true)
        {
            var page = await client.GetAsync($"api/v1/audit?after={after}&limit={PageSize}", ProtocolJsonContext.Default.ListAuditEntry, cancellationToken);
            entries.AddRange(page);
            if (page.Count < PageSize)
            {
                return entries;
            }

            if (page[^1].Sequence <= after)
            {
                // A page that does not move forward would loop for ever.
                throw new ServerException($"the server returned the audit rows after {after} again; its paging is broken.", ExitCodes.VerificationFailed);
            }

            after = page[^1].Sequence;
        }
    }

    private static void WriteReport(TextWriter output, AuditReport report)
    {
        if (report.Server is { } remote)
        {
            output.WriteLine(remote.Valid
                ? $"server check: valid, {remote.Entries} rows, head {remote.Head ?? "-"}"
                : $"server check: BROKEN at row {remote.FirstBadSequence}: {remote.Problem}");
        }

        var local = report.Local;
        var what = report.File is null ? "local check: " : $"{report.File}:";
        output.WriteLine(local.Valid
            ? $"{what} valid, {local.Entries} rows re-hashed, head {local.Head ?? "-"}"
            : $"{what} BROKEN at row {local.FirstBadSequence}: {local.Problem}");
        output.WriteLine(report.Valid ? "audit log valid" : $"audit log BROKEN at row {report.FirstBadSequence}");
    }

    private static void CheckNewFile(string path)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            throw new UsageException($"{path} already exists; choose another --out path.");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"directory {directory} does not exist; create it first or choose another --out path.");
        }
    }
}
