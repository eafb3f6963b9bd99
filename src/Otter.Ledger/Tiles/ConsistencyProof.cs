namespace Otter.Ledger.Tiles;

/// <summary>A consistency proof from the tree of <paramref name="Size1"/> leaves to the tree of <paramref name="Size2"/>.</summary>
public sealed record ConsistencyProof(long Size1, long Size2, byte[] Root1, byte[] Root2, IReadOnlyList<byte[]> Proof);
