using System.CommandLine;
using Otter.Cli.Cli;
using Otter.Trust.Keys;
using Otter.Trust.Tuf.Repository;

namespace Otter.Cli.Commands;

/// <summary><c>otter keys generate|show|status</c>.</summary>
internal static class KeysCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("keys", "Create and inspect signing keys (key files or pkcs11: URIs).");
        command.Subcommands.Add(Generate(environment));
        command.Subcommands.Add(Show(environment));
        command.Subcommands.Add(Status(environment));
        return command;
    }

    private static Command Generate(CliEnvironment environment)
    {
        var outOption = new Option<string>("--out") { Description = "Path of the new encrypted key file (must not exist).", Required = true };
        var json = JsonOption();
        var command = new Command("generate", "Create an ECDSA P-256 key as an encrypted PKCS#8 file (passphrase from OTTER_KEY_PASSPHRASE or the terminal).")
        {
            outOption,
            json,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(outOption)!;
            if (File.Exists(path) || Directory.Exists(path))
            {
                throw new UsageException($"{path} already exists; Otter does not overwrite keys. Choose another --out path.");
            }

            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(directory))
            {
                throw new UsageException($"directory {directory} does not exist; create it first.");
            }

            var passphrase = environment.Passphrases.GetPassphrase(path, confirm: true);
            using var key = EcdsaP256.Generate();
            KeyFile.Write(path, key, passphrase);
            using var created = new KeyLoader(environment.Passphrases).Open(path);
            var info = Describe(created);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, info, CliJsonContext.Default.KeyInfo);
            }
            else
            {
                environment.Output.WriteLine($"created {path}");
                environment.Output.WriteLine($"key id: {info.KeyId}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CliEnvironment environment)
    {
        var key = new Argument<string>("KEY") { Description = "A key file or a pkcs11: URI." };
        var json = JsonOption();
        var command = new Command("show", "Print a key's TUF key id and public key.") { key, json };
        command.SetAction(parse =>
        {
            using var handle = new KeyLoader(environment.Passphrases).Open(parse.GetValue(key)!);
            var info = Describe(handle);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, info, CliJsonContext.Default.KeyInfo);
            }
            else
            {
                environment.Output.WriteLine($"key id:  {info.KeyId}");
                environment.Output.WriteLine($"source:  {info.Source}{(info.Hardware ? " (hardware token)" : string.Empty)}");
                environment.Output.WriteLine($"type:    {info.KeyType} / {info.Scheme}");
                environment.Output.Write(info.PublicKeyPem);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Status(CliEnvironment environment)
    {
        var directory = new Argument<string>("DIR") { Description = "The repository directory." };
        var json = JsonOption();
        var command = new Command("status", "Show each role's keys, days left on online keys and on metadata.") { directory, json };
        command.SetAction(parse =>
        {
            var status = new TufRepository(environment.Time).Status(parse.GetValue(directory)!);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, status, CliJsonContext.Default.RepositoryStatus);
                return ExitCodes.Success;
            }

            var table = new TextTable("ROLE", "KEY ID", "THRESHOLD", "KEY NOT AFTER", "KEY DAYS LEFT", "VERSION", "METADATA EXPIRES", "METADATA DAYS LEFT");
            foreach (var role in status.Roles)
            {
                table.Add(
                    role.Role,
                    string.Join(",", role.KeyIds.Select(Output.Short)),
                    $"{role.Threshold}/{role.KeyIds.Count}",
                    role.Role == "root" ? "offline" : Output.Date(role.KeyNotAfter),
                    role.Role == "root" ? "-" : Output.Days(role.KeyDaysLeft),
                    Output.Number(role.MetadataVersion),
                    Output.Date(role.MetadataExpires),
                    Output.Days(role.MetadataDaysLeft));
            }

            table.WriteTo(environment.Output);
            environment.Output.WriteLine($"online key lifetime: {status.OnlineKeyLifetimeDays} days; targets: {status.TargetCount}");
            foreach (var role in status.Roles)
            {
                if (role.KeyDaysLeft is < 14)
                {
                    environment.Output.WriteLine(role.KeyDaysLeft < 0
                        ? $"warning: the {role.Role} key has expired; rotate it with `otter repo rotate --role {role.Role}`."
                        : $"warning: the {role.Role} key expires in {Output.Days(role.KeyDaysLeft)} days; rotate it with `otter repo rotate --role {role.Role}`.");
                }

                if (role.MetadataDaysLeft < 0)
                {
                    environment.Output.WriteLine($"warning: {role.Role} metadata has expired; clients will refuse it until it is re-signed.");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    internal static Option<bool> JsonOption() => new("--json") { Description = "Write JSON for scripts instead of a table." };

    private static KeyInfo Describe(KeyHandle handle) =>
        new(handle.KeyId, handle.Source, handle.IsHardware, handle.PublicKey.KeyType, handle.PublicKey.Scheme, handle.PublicKey.KeyValue.Public);
}
