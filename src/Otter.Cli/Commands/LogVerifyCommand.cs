using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Otter.Cli.Cli;
using Otter.Ledger;
using Otter.Ledger.Merkle;
using Otter.Ledger.Notes;
using Otter.Trust.Keys;

namespace Otter.Cli.Commands;

/// <summary>
/// <c>otter log verify --checkpoint FILE --key PUBKEY (--entry FILE --proof FILE | --consistency FILE)</c>:
/// checks a proof offline, as a device or auditor would. Exit 0 valid, 1 invalid.
/// </summary>
internal static class LogVerifyCommand
{
    private const int MaxInputLength = 1024 * 1024;

    public static Command Create(CliEnvironment environment)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A signed checkpoint (as `otter log checkpoint` prints).", Required = true };
        var key = new Option<string>("--key") { Description = "The log's public key: a PEM public key, an Otter key file, or a verifier key (name+id+key).", Required = true };
        var entry = new Option<string>("--entry") { Description = "The entry whose inclusion is checked." };
        var proof = new Option<string>("--proof") { Description = "Its inclusion proof (as `otter log prove` prints)." };
        var consistency = new Option<string>("--consistency") { Description = "A consistency proof (as `otter log consistency` prints) ending at the checkpoint." };
        var command = new Command("verify", "Verify an inclusion or consistency proof against a signed checkpoint; exit 0 valid, 1 invalid.")
        {
            checkpoint, key, entry, proof, consistency,
        };
        command.SetAction(parse =>
        {
            var entryPath = parse.GetValue(entry);
            var proofPath = parse.GetValue(proof);
            var consistencyPath = parse.GetValue(consistency);
            var inclusion = entryPath is not null || proofPath is not null;
            if (inclusion == (consistencyPath is not null) || (inclusion && (entryPath is null || proofPath is null)))
            {
                throw new UsageException("give either --entry FILE --proof FILE, or --consistency FILE.");
            }

            var signed = VerifyCheckpoint(ReadInput(parse.GetValue(checkpoint)!, "--checkpoint"), parse.GetValue(key)!, environment);
            var tree = signed.Checkpoint;
            if (inclusion)
            {
                var document = ReadJson(proofPath!, "--proof", LogJsonContext.Default.InclusionProofDocument);
                var leaf = MerkleHasher.HashLeaf(ReadInput(entryPath!, "--entry"));
                if (!CryptographicOperations.FixedTimeEquals(leaf, Decode(document.LeafHash, "--proof leafHash")))
                {
                    throw new ProofException($"{entryPath} does not hash to the proof's leaf hash: it is not the entry the proof is for.");
                }

                if (document.Size != tree.Size)
                {
                    throw new ProofException($"the proof is for a tree of size {document.Size} but the checkpoint is for size {tree.Size}; make the proof with `otter log prove --size {tree.Size}`.");
                }

                MerkleVerifier.VerifyInclusion(document.Index, tree.Size, leaf, DecodeAll(document.Proof, "--proof"), tree.RootHash);
                environment.Output.WriteLine($"verified: {entryPath} is entry {document.Index} of {tree.Origin} at size {tree.Size}");
            }
            else
            {
                var document = ReadJson(consistencyPath!, "--consistency", LogJsonContext.Default.ConsistencyProofDocument);
                if (document.Size2 != tree.Size || !CryptographicOperations.FixedTimeEquals(Decode(document.Root2, "--consistency root2"), tree.RootHash))
                {
                    throw new ProofException($"the consistency proof ends at size {document.Size2}, not at the checkpoint (size {tree.Size}, its root); make it with `otter log consistency --to {tree.Size}`.");
                }

                MerkleVerifier.VerifyConsistency(document.Size1, document.Size2, DecodeAll(document.Proof, "--consistency"), Decode(document.Root1, "--consistency root1"), tree.RootHash);
                environment.Output.WriteLine($"verified: the tree of size {document.Size1} (root {document.Root1}) is a prefix of {tree.Origin} at size {tree.Size}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static SignedCheckpoint VerifyCheckpoint(byte[] note, string keyReference, CliEnvironment environment)
    {
        // The origin names the key on the signature line; read it, then demand a valid signature under it.
        var origin = Checkpoint.Parse(SignedNote.Parse(note).Text).Origin;
        NoteKey key;
        if (!KeyLoader.IsPkcs11Uri(keyReference) && File.Exists(keyReference) && !File.ReadAllText(keyReference).Contains("-----BEGIN", StringComparison.Ordinal))
        {
            key = NoteKey.ParseVerifierKey(File.ReadAllText(keyReference));
            if (key.Name != origin)
            {
                throw new LedgerException($"the checkpoint is for the log \"{origin}\" but the key is for \"{key.Name}\".");
            }
        }
        else
        {
            using var handle = new KeyLoader(environment.Passphrases).Open(keyReference);
            key = NoteKey.FromPem(origin, handle.PublicKey.KeyValue.Public);
        }

        return SignedCheckpoint.Verify(note, origin, [key]);
    }

    private static byte[] ReadInput(string path, string flag)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new UsageException($"{flag} {path} does not exist.");
        }

        if (info.Length > MaxInputLength)
        {
            throw new UsageException($"{flag} {path} is {info.Length} bytes, more than the {MaxInputLength} accepted.");
        }

        return File.ReadAllBytes(path);
    }

    private static T ReadJson<T>(string path, string flag, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(ReadInput(path, flag), typeInfo)
                ?? throw new UsageException($"{flag} {path} is empty JSON.");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{flag} {path} is not a proof file as otter log prints it: {ex.Message}");
        }
    }

    private static byte[] Decode(string? base64, string what)
    {
        try
        {
            return Convert.FromBase64String(base64 ?? string.Empty);
        }
        catch (FormatException)
        {
            throw new UsageException($"{what} is not valid base64.");
        }
    }

    private static List<byte[]> DecodeAll(IReadOnlyList<string>? hashes, string what) =>
        (hashes ?? []).Select((h, i) => Decode(h, $"{what} proof[{i}]")).ToList();
}
