using System.CommandLine;
using Otter.Cli.Cli;
using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Cli.Commands;

/// <summary>
/// <c>otter repo verify DIR --trusted-root FILE</c>: runs the whole client workflow a device
/// runs, over the directory, and downloads and checks every target.
/// </summary>
internal static class RepoVerifyCommand
{
    private const long MaxTrustedRootLength = 512 * 1024;

    public static Command Create(CliEnvironment environment)
    {
        var directory = RepoCommand.DirectoryArgument();
        var trustedRoot = new Option<string>("--trusted-root") { Description = "The root metadata the client trusts to begin with (e.g. a copy of 1.root.json).", Required = true };
        var json = KeysCommand.JsonOption();
        var command = new Command("verify", "Verify a repository as a client would: root chain, timestamp, snapshot, targets, delegations, every target's bytes.")
        {
            directory, trustedRoot, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var report = await VerifyAsync(parse.GetValue(directory)!, parse.GetValue(trustedRoot)!, environment.Time, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, report, CliJsonContext.Default.VerifyReport);
            }
            else
            {
                Write(environment, report);
            }

            return report.Ok ? ExitCodes.Success : ExitCodes.VerificationFailed;
        });
        return command;
    }

    private static async Task<VerifyReport> VerifyAsync(string directory, string trustedRootPath, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(directory, "metadata")))
        {
            throw new UsageException($"{directory} has no metadata/ directory; give the directory of a TUF repository.");
        }

        var info = new FileInfo(trustedRootPath);
        if (!info.Exists)
        {
            throw new UsageException($"--trusted-root {trustedRootPath} does not exist; give the root metadata the client starts from (e.g. metadata/1.root.json).");
        }

        if (info.Length > MaxTrustedRootLength)
        {
            throw new UsageException($"--trusted-root {trustedRootPath} is {info.Length} bytes, too large for root metadata.");
        }

        var rootBytes = await File.ReadAllBytesAsync(trustedRootPath, cancellationToken);
        try
        {
            TufMetadata.Parse<RootMetadata>(rootBytes, trustedRootPath);
        }
        catch (MalformedMetadataException ex)
        {
            throw new UsageException(ex.Message);
        }

        var store = new InMemoryTrustedMetadataStore();
        await store.WriteAsync(TufRoles.Root, rootBytes, cancellationToken);
        var updater = new TufUpdater(new DirectoryRepositoryFetcher(directory), store, timeProvider: time);
        try
        {
            await updater.RefreshAsync(cancellationToken);
        }
        catch (TufException ex)
        {
            return new VerifyReport(directory, false, null, null, null, null, [], ex.Message);
        }

        var checks = new List<TargetCheck>();
        string? firstError = null;
        try
        {
            await foreach (var target in updater.EnumerateTargetsAsync(cancellationToken))
            {
                var sha256 = target.File.Hashes.TryGetValue("sha256", out var hash) ? hash : "-";
                try
                {
                    await updater.DownloadTargetAsync(target, Stream.Null, cancellationToken);
                    checks.Add(new TargetCheck(target.Path, target.Role, target.File.Length, sha256, true, null));
                }
                catch (TufException ex)
                {
                    firstError ??= ex.Message;
                    checks.Add(new TargetCheck(target.Path, target.Role, target.File.Length, sha256, false, ex.Message));
                }
            }
        }
        catch (TufException ex)
        {
            firstError ??= ex.Message;
        }

        var versions = await ReadVersionsAsync(store, cancellationToken);
        return new VerifyReport(directory, firstError is null, versions.Root, versions.Timestamp, versions.Snapshot, versions.Targets, checks, firstError);
    }

    private static async Task<(long? Root, long? Timestamp, long? Snapshot, long? Targets)> ReadVersionsAsync(InMemoryTrustedMetadataStore store, CancellationToken cancellationToken)
    {
        async Task<long?> Version<T>(string role)
            where T : SignedMetadata
        {
            var bytes = await store.ReadAsync(role, cancellationToken);
            return bytes is null ? null : TufMetadata.Parse<T>(bytes, role).Signed.Version;
        }

        return (await Version<RootMetadata>(TufRoles.Root), await Version<TimestampMetadata>(TufRoles.Timestamp),
            await Version<SnapshotMetadata>(TufRoles.Snapshot), await Version<TargetsMetadata>(TufRoles.Targets));
    }

    private static void Write(CliEnvironment environment, VerifyReport report)
    {
        if (report.RootVersion is not null)
        {
            environment.Output.WriteLine($"trusted: root v{report.RootVersion}, timestamp v{report.TimestampVersion}, snapshot v{report.SnapshotVersion}, targets v{report.TargetsVersion}");
        }

        if (report.Targets.Count > 0)
        {
            var table = new TextTable("TARGET", "ROLE", "LENGTH", "SHA256", "RESULT");
            foreach (var target in report.Targets)
            {
                table.Add(target.Name, target.Role, Output.Number(target.Length), Output.Short(target.Sha256), target.Ok ? "ok" : "FAILED");
            }

            table.WriteTo(environment.Output);
        }

        if (report.Ok)
        {
            environment.Output.WriteLine($"verified: {report.Directory} ({report.Targets.Count} target(s))");
        }
        else
        {
            environment.Error.WriteLine($"otter: verification failed: {report.Error}");
        }
    }
}
