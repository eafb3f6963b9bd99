namespace Otter.Cli.Cli;

/// <summary>What <c>otter log consistency</c> prints and <c>otter log verify --consistency</c> reads (hashes in base64).</summary>
internal sealed record ConsistencyProofDocument(long Size1, long Size2, string Root1, string Root2, IReadOnlyList<string> Proof);
