using System.CommandLine;
using System.Text.Json.Nodes;
using Otter.Cli.Cli;
using Otter.Trust.Tuf.Repository;

namespace Otter.Cli.Commands;

/// <summary><c>otter repo init|add|rotate|refresh|verify</c>.</summary>
internal static class RepoCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("repo", "Create, change and verify a TUF repository directory.");
        command.Subcommands.Add(Init(environment));
        command.Subcommands.Add(Add(environment));
        command.Subcommands.Add(Rotate(environment));
        command.Subcommands.Add(Refresh(environment));
        command.Subcommands.Add(RepoVerifyCommand.Create(environment));
        return command;
    }

    private static Command Init(CliEnvironment environment)
    {
        var directory = DirectoryArgument();
        var rootKeys = new Option<string[]>("--root-key") { Description = "An offline root key (repeat for several).", Required = true };
        var threshold = new Option<int>("--root-threshold") { Description = "Root keys needed to sign root metadata.", DefaultValueFactory = _ => 1 };
        var targets = KeyOption("--targets-key", "The online targets key.", required: true);
        var snapshot = KeyOption("--snapshot-key", "The online snapshot key.", required: true);
        var timestamp = KeyOption("--timestamp-key", "The online timestamp key.", required: true);
        var lifetime = new Option<int>("--online-key-lifetime") { Description = "Days an online key may sign after its first use.", DefaultValueFactory = _ => 90 };
        var json = KeysCommand.JsonOption();
        var command = new Command("init", "Create a TUF repository in a new or empty directory.")
        {
            directory, rootKeys, threshold, targets, snapshot, timestamp, lifetime, json,
        };
        command.SetAction(parse =>
        {
            using var keys = new KeySet(environment.Passphrases);
            var options = new RepositoryInitOptions
            {
                RootKeys = keys.OpenAll(parse.GetValue(rootKeys), "--root-key"),
                RootThreshold = parse.GetValue(threshold),
                TargetsKey = keys.Open(parse.GetValue(targets)!, "--targets-key"),
                SnapshotKey = keys.Open(parse.GetValue(snapshot)!, "--snapshot-key"),
                TimestampKey = keys.Open(parse.GetValue(timestamp)!, "--timestamp-key"),
                OnlineKeyLifetimeDays = parse.GetValue(lifetime),
            };
            var change = new TufRepository(environment.Time).Init(parse.GetValue(directory)!, options);
            WriteChange(environment, change, parse.GetValue(json), "created repository");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Add(CliEnvironment environment)
    {
        var directory = DirectoryArgument();
        var file = new Argument<string>("FILE") { Description = "The file to publish." };
        var name = new Option<string>("--name") { Description = "Target name (default: the file name); may contain '/'." };
        var custom = new Option<string[]>("--custom") { Description = "KEY=VALUE stored in the target's custom data (repeatable)." };
        var targets = KeyOption("--targets-key", "The online targets key.", required: true);
        var snapshot = KeyOption("--snapshot-key", "The online snapshot key.", required: true);
        var timestamp = KeyOption("--timestamp-key", "The online timestamp key.", required: true);
        var log = new Option<string>("--log") { Description = "Also append the release record to this transparency log directory (needs --custom version=... and hardware=...)." };
        var logKey = KeyOption("--log-key", "The log's signing key, with --log.", required: false);
        var json = KeysCommand.JsonOption();
        var command = new Command("add", "Publish a file as a target and re-sign targets, snapshot and timestamp.")
        {
            directory, file, name, custom, targets, snapshot, timestamp, log, logKey, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var customData = ParseCustom(parse.GetValue(custom));
            var logDirectory = parse.GetValue(log);
            var logKeyReference = parse.GetValue(logKey);
            if ((logDirectory is null) != (logKeyReference is null))
            {
                throw new UsageException("--log and --log-key go together: give both to log the release, or neither.");
            }

            using var keys = new KeySet(environment.Passphrases);
            var targetsKey = keys.Open(parse.GetValue(targets)!, "--targets-key");
            var snapshotKey = keys.Open(parse.GetValue(snapshot)!, "--snapshot-key");
            var timestampKey = keys.Open(parse.GetValue(timestamp)!, "--timestamp-key");
            using var releaseLog = logDirectory is null
                ? null
                : await ReleaseLogging.OpenAsync(logDirectory, keys.Open(logKeyReference!, "--log-key").GetSigner(), customData, cancellationToken);
            var added = new TufRepository(environment.Time).AddTarget(
                parse.GetValue(directory)!,
                parse.GetValue(file)!,
                parse.GetValue(name),
                customData,
                targetsKey,
                snapshotKey,
                timestampKey,
                releaseLog is null ? null : releaseLog.Append);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, added, CliJsonContext.Default.AddedTarget);
                return ExitCodes.Success;
            }

            environment.Output.WriteLine($"added {added.Name}: {added.Length} bytes, sha256 {added.Sha256}");
            environment.Output.WriteLine($"stored as {added.StoredPath}");
            if (releaseLog?.Logged is { } logged)
            {
                environment.Output.WriteLine($"logged as entry {logged.Index} of {logged.Origin} (checkpoint size {logged.Size})");
            }

            WriteChange(environment, added.Change, json: false, title: null);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Rotate(CliEnvironment environment)
    {
        var directory = DirectoryArgument();
        var role = new Option<string>("--role") { Description = "The role whose key is replaced.", Required = true };
        role.AcceptOnlyFromAmong("root", "targets", "snapshot", "timestamp");
        var newKeys = new Option<string[]>("--new-key") { Description = "The new key (repeat for several new root keys).", Required = true };
        var rootKeys = new Option<string[]>("--root-key") { Description = "A root key that signs the new root (repeat to reach the threshold).", Required = true };
        var threshold = new Option<int?>("--root-threshold") { Description = "With --role root: new keys needed to sign root (default: the old threshold, capped)." };
        var targets = KeyOption("--targets-key", "The targets key, when targets metadata must be re-signed.", required: false);
        var snapshot = KeyOption("--snapshot-key", "The snapshot key, when snapshot metadata must be re-signed.", required: false);
        var timestamp = KeyOption("--timestamp-key", "The timestamp key, when timestamp metadata must be re-signed.", required: false);
        var json = KeysCommand.JsonOption();
        var command = new Command("rotate", "Replace a role's key with a new root version signed by the old and new root keys.")
        {
            directory, role, newKeys, rootKeys, threshold, targets, snapshot, timestamp, json,
        };
        command.SetAction(parse =>
        {
            using var keys = new KeySet(environment.Passphrases);
            var change = new TufRepository(environment.Time).Rotate(
                parse.GetValue(directory)!,
                parse.GetValue(role)!,
                keys.OpenAll(parse.GetValue(newKeys), "--new-key"),
                keys.OpenAll(parse.GetValue(rootKeys), "--root-key"),
                parse.GetValue(threshold),
                keys.OpenOptional(parse.GetValue(targets), "--targets-key"),
                keys.OpenOptional(parse.GetValue(snapshot), "--snapshot-key"),
                keys.OpenOptional(parse.GetValue(timestamp), "--timestamp-key"));
            WriteChange(environment, change, parse.GetValue(json), $"rotated the {parse.GetValue(role)} key");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Refresh(CliEnvironment environment)
    {
        var directory = DirectoryArgument();
        var snapshot = KeyOption("--snapshot-key", "The online snapshot key.", required: true);
        var timestamp = KeyOption("--timestamp-key", "The online timestamp key.", required: true);
        var json = KeysCommand.JsonOption();
        var command = new Command("refresh", "Re-sign snapshot and timestamp metadata with new expiry dates.")
        {
            directory, snapshot, timestamp, json,
        };
        command.SetAction(parse =>
        {
            using var keys = new KeySet(environment.Passphrases);
            var change = new TufRepository(environment.Time).Refresh(
                parse.GetValue(directory)!,
                keys.Open(parse.GetValue(snapshot)!, "--snapshot-key"),
                keys.Open(parse.GetValue(timestamp)!, "--timestamp-key"));
            WriteChange(environment, change, parse.GetValue(json), "refreshed");
            return ExitCodes.Success;
        });
        return command;
    }

    internal static Argument<string> DirectoryArgument() => new("DIR") { Description = "The repository directory." };

    private static Option<string> KeyOption(string name, string description, bool required) =>
        new(name) { Description = description + " A key file or a pkcs11: URI.", Required = required };

    private static JsonObject? ParseCustom(string[]? pairs)
    {
        if (pairs is null || pairs.Length == 0)
        {
            return null;
        }

        var custom = new JsonObject();
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--custom \"{pair}\" is not KEY=VALUE; write e.g. --custom hardware=gw-x2.");
            }

            var key = pair[..equals];
            if (custom.ContainsKey(key))
            {
                throw new UsageException($"--custom gives \"{key}\" twice; give each key once.");
            }

            var value = pair[(equals + 1)..];
            if (key == ReleaseLogging.SecurityCounterKey)
            {
                // Stored as a number: devices compare it, and the release record logs it as one.
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var counter))
                {
                    throw new UsageException($"--custom {key}={value}: the security counter must be a non-negative integer.");
                }

                custom[key] = counter;
                continue;
            }

            custom[key] = value;
        }

        return custom;
    }

    private static void WriteChange(CliEnvironment environment, RepositoryChange change, bool json, string? title)
    {
        if (json)
        {
            Output.Json(environment.Output, change, CliJsonContext.Default.RepositoryChange);
            return;
        }

        if (title is not null)
        {
            environment.Output.WriteLine($"{title}: {change.Directory}");
        }

        var table = new TextTable("ROLE", "VERSION", "EXPIRES", "CHANGED");
        foreach (var role in change.Roles)
        {
            table.Add(role.Role, Output.Number(role.Version), Output.Date(role.Expires), role.Changed ? "yes" : "no");
        }

        table.WriteTo(environment.Output);
    }
}
