namespace Otter.Ledger.Tiles;

/// <summary>An inclusion proof of entry <paramref name="Index"/> in the tree of <paramref name="Size"/> leaves.</summary>
public sealed record InclusionProof(long Index, long Size, byte[] LeafHash, byte[] Root, IReadOnlyList<byte[]> Proof);
