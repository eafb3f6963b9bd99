using System.Text;
using Otter.Agent.Transport;
using Otter.Ledger.Client;
using Otter.Ledger.Notes;
using Otter.Ledger.Records;
using Otter.Ledger.Tiles;

namespace Otter.Simulator;

/// <summary>
/// Checks that a release is in the transparency log exactly as a device does before installing:
/// fetch the checkpoint over HTTPS, verify its signature with the log key the device was
/// provisioned with, build the inclusion proof from the log's tiles, verify it against the
/// checkpoint's root (the same <see cref="LogVerifier"/> the agent uses).
/// </summary>
public static class LogInclusionCheck
{
    /// <summary>Verifies <paramref name="record"/> at <paramref name="index"/> in the log at <paramref name="log"/>.</summary>
    /// <exception cref="Otter.Ledger.LedgerException">The checkpoint or the proof does not verify.</exception>
    public static async Task<LogInclusionResult> VerifyAsync(HttpClient client, Uri log, FleetTrust trust, ReleaseRecord record, long index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(record);
        var reader = new HttpLogReader(client, log);
        var key = NoteKey.FromPem(trust.LogOrigin, trust.LogKeyPem);
        var verifier = new LogVerifier(trust.LogOrigin, [key]);
        var note = await reader.ReadAsync(TilePaths.Checkpoint, cancellationToken)
            ?? throw new Otter.Ledger.LedgerException($"{log} serves no checkpoint.");
        var accepted = verifier.Accept(note, []);
        var tiles = new ProofBuilder(new TileHashReader(reader, accepted.Checkpoint.Size), accepted.Checkpoint.RootHash);
        var proof = await tiles.InclusionAsync(index, accepted.Checkpoint.Size, cancellationToken);
        var entry = record.ToEntry();
        verifier.VerifyInclusion(entry, index, proof.Proof);
        return new LogInclusionResult
        {
            Origin = accepted.Checkpoint.Origin,
            Index = index,
            TreeSize = accepted.Checkpoint.Size,
            RootHash = Convert.ToBase64String(accepted.Checkpoint.RootHash),
            LeafHash = Convert.ToBase64String(Otter.Ledger.Merkle.MerkleHasher.HashLeaf(entry)),
            Proof = [.. proof.Proof.Select(Convert.ToBase64String)],
            Entry = Encoding.UTF8.GetString(entry),
        };
    }
}
