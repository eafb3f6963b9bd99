using Otter.Ledger.Notes;

namespace Otter.Ledger.Log;

/// <summary>Entries appended in one batch: their indices and leaf hashes, and the checkpoint that covers them.</summary>
public sealed record AppendResult(long FirstIndex, IReadOnlyList<byte[]> LeafHashes, SignedCheckpoint Checkpoint);
