using System.Security.Cryptography;
using Otter.Ledger.Merkle;
using Otter.Ledger.Notes;

namespace Otter.Ledger.Client;

/// <summary>
/// The client side of the split-view defence: remembers the last checkpoint it trusted and
/// accepts a new one only if a trusted key signed it and it provably extends the old one (never
/// smaller, never the same size with another root). A device that installs only what is
/// included under a checkpoint accepted here sees the same history as everyone else.
/// The caller persists <see cref="Trusted"/> (its <see cref="SignedCheckpoint.NoteText"/>) durably.
/// </summary>
public sealed class LogVerifier
{
    private readonly IReadOnlyList<NoteKey> _keys;

    /// <summary>Verifies the log <paramref name="origin"/>, signed by one of <paramref name="keys"/>, starting from <paramref name="trusted"/>.</summary>
    public LogVerifier(string origin, IReadOnlyList<NoteKey> keys, SignedCheckpoint? trusted = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("give at least one trusted log key.", nameof(keys));
        }

        if (trusted is not null && trusted.Checkpoint.Origin != origin)
        {
            throw new ArgumentException($"the trusted checkpoint is for {trusted.Checkpoint.Origin}, not {origin}.", nameof(trusted));
        }

        Origin = origin;
        _keys = keys;
        Trusted = trusted;
    }

    /// <summary>The log's origin.</summary>
    public string Origin { get; }

    /// <summary>The last checkpoint accepted, or null before the first.</summary>
    public SignedCheckpoint? Trusted { get; private set; }

    /// <summary>
    /// Verifies <paramref name="note"/> and, when it is consistent with the trusted checkpoint,
    /// makes it the trusted one. Nothing changes when it is rejected.
    /// </summary>
    /// <param name="note">The signed checkpoint.</param>
    /// <param name="consistencyProof">The proof from the trusted size to the new size (empty when there is no trusted checkpoint, it was empty, or sizes are equal).</param>
    /// <exception cref="LedgerException">Bad signature, another log, a smaller tree, a different root at the same size, or a proof that does not verify.</exception>
    public SignedCheckpoint Accept(ReadOnlySpan<byte> note, IReadOnlyList<byte[]> consistencyProof)
    {
        ArgumentNullException.ThrowIfNull(consistencyProof);
        var candidate = SignedCheckpoint.Verify(note, Origin, _keys);
        var next = candidate.Checkpoint;
        if (Trusted is { } trusted)
        {
            var previous = trusted.Checkpoint;
            if (next.Size < previous.Size)
            {
                throw new LedgerException($"the log offers a checkpoint of size {next.Size} after this client trusted size {previous.Size}: a log never shrinks, so it was rejected.");
            }

            if (next.Size == previous.Size)
            {
                if (!CryptographicOperations.FixedTimeEquals(next.RootHash, previous.RootHash))
                {
                    throw new LedgerException($"the log signed two different trees of size {next.Size} (split view): the new checkpoint was rejected. Keep both notes as evidence.");
                }
            }
            else if (previous.Size > 0)
            {
                MerkleVerifier.VerifyConsistency(previous.Size, next.Size, consistencyProof, previous.RootHash, next.RootHash);
            }
        }

        Trusted = candidate;
        return candidate;
    }

    /// <summary>
    /// Checks that <paramref name="entry"/> is entry <paramref name="index"/> of the trusted
    /// checkpoint's tree.
    /// </summary>
    /// <exception cref="LedgerException">No checkpoint trusted yet, or the proof does not verify.</exception>
    public void VerifyInclusion(ReadOnlySpan<byte> entry, long index, IReadOnlyList<byte[]> proof)
    {
        var trusted = Trusted ?? throw new LedgerException("no log checkpoint is trusted yet; accept one before checking inclusion.");
        var checkpoint = trusted.Checkpoint;
        MerkleVerifier.VerifyInclusion(index, checkpoint.Size, MerkleHasher.HashLeaf(entry), proof, checkpoint.RootHash);
    }
}
