using System.CommandLine;
using Otter.Cli.Cli;
using Otter.Ledger.Log;
using Otter.Ledger.Storage;
using Otter.Ledger.Tiles;

namespace Otter.Cli.Commands;

/// <summary><c>otter log init|append|checkpoint|prove|consistency|verify</c>.</summary>
internal static class LogCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("log", "Run and check the transparency log (an RFC 6962 Merkle log served as C2SP tlog-tiles).");
        command.Subcommands.Add(Init(environment));
        command.Subcommands.Add(Append(environment));
        command.Subcommands.Add(Checkpoint(environment));
        command.Subcommands.Add(Prove(environment));
        command.Subcommands.Add(Consistency(environment));
        command.Subcommands.Add(LogVerifyCommand.Create(environment));
        command.Subcommands.Add(Find(environment));
        return command;
    }

    private static Command Find(CliEnvironment environment)
    {
        var directory = DirectoryArgument();
        var entry = new Option<string>("--entry") { Description = "A file whose entry to look up." };
        var leafHash = new Option<string>("--leaf-hash") { Description = "A base64 leaf hash to look up." };
        var command = new Command("find", "Print the index of an entry (by its file or its leaf hash); exit 1 when the log does not have it.") { directory, entry, leafHash };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(entry);
            var hashText = parse.GetValue(leafHash);
            if ((file is null) == (hashText is null))
            {
                throw new UsageException("give either --entry FILE or --leaf-hash BASE64.");
            }

            byte[] hash;
            if (file is not null)
            {
                if (!File.Exists(file))
                {
                    throw new UsageException($"--entry {file} does not exist.");
                }

                hash = Otter.Ledger.Merkle.MerkleHasher.HashLeaf(await File.ReadAllBytesAsync(file, cancellationToken));
            }
            else
            {
                try
                {
                    hash = Convert.FromBase64String(hashText!);
                }
                catch (FormatException)
                {
                    throw new UsageException("--leaf-hash is not valid base64.");
                }

                if (hash.Length != Otter.Ledger.Merkle.MerkleHasher.HashSize)
                {
                    throw new UsageException($"--leaf-hash is {hash.Length} bytes; leaf hashes are 32.");
                }
            }

            using var log = await OpenAsync(parse.GetValue(directory)!, null, cancellationToken);
            if (log.FindIndex(hash) is not { } index)
            {
                await environment.Error.WriteLineAsync($"otter: the log ({log.Size} entries) has no entry with leaf hash {Convert.ToBase64String(hash)}.");
                return ExitCodes.VerificationFailed;
            }

            environment.Output.WriteLine(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Init(CliEnvironment environment)
    {
        var directory = DirectoryArgument();
        var key = new Option<string>("--key") { Description = "The log's signing key: a key file or a pkcs11: URI.", Required = true };
        var origin = new Option<string>("--origin") { Description = "The log's name on its checkpoints, e.g. fleet.example.com/otter-log.", Required = true };
        var json = KeysCommand.JsonOption();
        var command = new Command("init", "Create an empty log in a new or empty directory.") { directory, key, origin, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(directory)!;
            if (File.Exists(path) || (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any()))
            {
                throw new UsageException($"{path} exists and is not an empty directory; give a new or empty directory (Otter never re-creates a log).");
            }

            using var keys = new KeySet(environment.Passphrases);
            var signer = keys.Open(parse.GetValue(key)!, "--key").GetSigner();
            var created = !Directory.Exists(path);
            Directory.CreateDirectory(path);
            try
            {
                using var log = await TransparencyLog.CreateAsync(new DirectoryLogStorage(path), parse.GetValue(origin)!, signer, cancellationToken);
                var info = new LogInfo(path, log.Config.Origin, log.Config.VerifierKey, log.Size, log.Checkpoint.NoteText);
                if (parse.GetValue(json))
                {
                    Output.Json(environment.Output, info, LogJsonContext.Default.LogInfo);
                }
                else
                {
                    environment.Output.WriteLine($"created log {info.Origin} in {path}");
                    environment.Output.WriteLine($"verifier key: {info.VerifierKey}");
                }
            }
            catch
            {
                if (created)
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    foreach (var entry in Directory.EnumerateFileSystemEntries(path))
                    {
                        if (Directory.Exists(entry))
                        {
                            Directory.Delete(entry, recursive: true);
                        }
                        else
                        {
                            File.Delete(entry);
                        }
                    }
                }

                throw;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Append(CliEnvironment environment)
    {
        var directory = DirectoryArgument();
        var key = new Option<string>("--key") { Description = "The log's signing key.", Required = true };
        var files = new Argument<string[]>("FILE") { Description = "Files to append, one entry each (at most 65,535 bytes).", Arity = ArgumentArity.OneOrMore };
        var json = KeysCommand.JsonOption();
        var command = new Command("append", "Append files as entries in one batch under one new checkpoint; prints `<index> <base64 leaf hash>` per entry.")
        {
            directory, key, files, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var paths = parse.GetValue(files)!;
            var entries = new List<byte[]>();
            foreach (var path in paths)
            {
                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    throw new UsageException($"{path} does not exist; give the files to log.");
                }

                if (info.Length > TransparencyLog.MaxEntryLength)
                {
                    throw new UsageException($"{path} is {info.Length} bytes; log entries are at most {TransparencyLog.MaxEntryLength} bytes. Log a record that names the file by hash instead (e.g. `otter repo add --log`).");
                }

                entries.Add(await File.ReadAllBytesAsync(path, cancellationToken));
            }

            using var keys = new KeySet(environment.Passphrases);
            var signer = keys.Open(parse.GetValue(key)!, "--key").GetSigner();
            using var log = await OpenAsync(parse.GetValue(directory)!, signer, cancellationToken);
            var result = await log.AppendAsync(entries, cancellationToken);
            var appended = paths.Select((p, i) => new AppendedEntry(p, result.FirstIndex + i, Convert.ToBase64String(result.LeafHashes[i]))).ToList();
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, appended, LogJsonContext.Default.ListAppendedEntry);
            }
            else
            {
                foreach (var entry in appended)
                {
                    environment.Output.WriteLine($"{entry.Index} {entry.LeafHash}");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Checkpoint(CliEnvironment environment)
    {
        var directory = DirectoryArgument();
        var command = new Command("checkpoint", "Print the log's current signed checkpoint (verified against the log's key).") { directory };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var log = await OpenAsync(parse.GetValue(directory)!, null, cancellationToken);
            environment.Output.Write(log.Checkpoint.NoteText);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Prove(CliEnvironment environment)
    {
        var directory = DirectoryArgument();
        var index = new Option<long>("--index") { Description = "The entry's index.", Required = true };
        var size = new Option<long?>("--size") { Description = "The tree size to prove inclusion in (default: the current size)." };
        var command = new Command("prove", "Print an inclusion proof as JSON {index,size,leafHash,root,proof} (base64).") { directory, index, size };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var log = await OpenAsync(parse.GetValue(directory)!, null, cancellationToken);
            var requestedIndex = parse.GetValue(index);
            var requestedSize = parse.GetValue(size) ?? log.Size;
            if (requestedIndex < 0 || requestedSize < 1 || requestedSize > log.Size || requestedIndex >= requestedSize)
            {
                throw new UsageException($"--index {requestedIndex} --size {requestedSize} is not an entry of a tree this log has (it has {log.Size} entries).");
            }

            var proof = await log.ProveInclusionAsync(requestedIndex, requestedSize, cancellationToken);
            Output.Json(environment.Output, ToDocument(proof), LogJsonContext.Default.InclusionProofDocument);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Consistency(CliEnvironment environment)
    {
        var directory = DirectoryArgument();
        var from = new Option<long>("--from") { Description = "The older tree size.", Required = true };
        var to = new Option<long?>("--to") { Description = "The newer tree size (default: the current size)." };
        var command = new Command("consistency", "Print a consistency proof as JSON {size1,size2,root1,root2,proof} (base64).") { directory, from, to };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var log = await OpenAsync(parse.GetValue(directory)!, null, cancellationToken);
            var size1 = parse.GetValue(from);
            var size2 = parse.GetValue(to) ?? log.Size;
            if (size1 < 1 || size2 < size1 || size2 > log.Size)
            {
                throw new UsageException($"--from {size1} --to {size2} must satisfy 1 <= from <= to <= {log.Size} (the log's size).");
            }

            var proof = await log.ProveConsistencyAsync(size1, size2, cancellationToken);
            var document = new ConsistencyProofDocument(
                proof.Size1, proof.Size2, Convert.ToBase64String(proof.Root1), Convert.ToBase64String(proof.Root2), proof.Proof.Select(Convert.ToBase64String).ToList());
            Output.Json(environment.Output, document, LogJsonContext.Default.ConsistencyProofDocument);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static InclusionProofDocument ToDocument(InclusionProof proof) =>
        new(proof.Index, proof.Size, Convert.ToBase64String(proof.LeafHash), Convert.ToBase64String(proof.Root), proof.Proof.Select(Convert.ToBase64String).ToList());

    internal static async Task<TransparencyLog> OpenAsync(string directory, Otter.Trust.Keys.ISigner? signer, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"{directory} does not exist; create a log with `otter log init`.");
        }

        return await TransparencyLog.OpenAsync(new DirectoryLogStorage(directory), signer, cancellationToken);
    }

    private static Argument<string> DirectoryArgument() => new("DIR") { Description = "The log directory." };
}
