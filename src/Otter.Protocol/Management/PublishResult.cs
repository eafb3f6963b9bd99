namespace Otter.Protocol.Management;

/// <summary>The answer to <c>POST /api/v1/releases</c>: the release and the proof that it is in the log.</summary>
public sealed record PublishResult
{
    /// <summary>The release.</summary>
    public required ReleaseInfo Release { get; init; }

    /// <summary>The log's origin.</summary>
    public required string LogOrigin { get; init; }

    /// <summary>The signed checkpoint the proof is against (note text).</summary>
    public required string Checkpoint { get; init; }

    /// <summary>The tree size of that checkpoint.</summary>
    public long LogSize { get; init; }

    /// <summary>The inclusion proof, base64 hashes from leaf to root.</summary>
    public required IReadOnlyList<string> InclusionProof { get; init; }

    /// <summary>The targets metadata version that lists the release.</summary>
    public long TargetsVersion { get; init; }
}
