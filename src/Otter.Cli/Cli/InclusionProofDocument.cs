namespace Otter.Cli.Cli;

/// <summary>What <c>otter log prove</c> prints and <c>otter log verify --proof</c> reads (hashes in base64).</summary>
internal sealed record InclusionProofDocument(long Index, long Size, string LeafHash, string Root, IReadOnlyList<string> Proof);
