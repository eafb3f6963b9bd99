namespace Otter.Simulator;

/// <summary>A verified inclusion of a release record in the transparency log.</summary>
public sealed record LogInclusionResult
{
    /// <summary>The log's origin (from the verified checkpoint).</summary>
    public required string Origin { get; init; }

    /// <summary>The entry's index.</summary>
    public long Index { get; init; }

    /// <summary>The size of the tree the proof is against.</summary>
    public long TreeSize { get; init; }

    /// <summary>The signed root hash (base64).</summary>
    public required string RootHash { get; init; }

    /// <summary>The leaf hash of the entry (base64).</summary>
    public required string LeafHash { get; init; }

    /// <summary>The audit path (base64 hashes).</summary>
    public required IReadOnlyList<string> Proof { get; init; }

    /// <summary>The entry as logged.</summary>
    public required string Entry { get; init; }
}
