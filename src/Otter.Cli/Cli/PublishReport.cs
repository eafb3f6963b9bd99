using Otter.Protocol.Management;

namespace Otter.Cli.Cli;

/// <summary><c>otter release publish --json</c>: the server's answer and what the client verified of it.</summary>
internal sealed record PublishReport
{
    public required ReleaseInfo Release { get; init; }

    public required string LogOrigin { get; init; }

    public long LogSize { get; init; }

    /// <summary>The signed checkpoint (note text) the proof was checked against.</summary>
    public required string Checkpoint { get; init; }

    public required IReadOnlyList<string> InclusionProof { get; init; }

    public long TargetsVersion { get; init; }

    /// <summary>The release record rebuilt from the uploaded bytes is in the log under the checkpoint's root.</summary>
    public bool InclusionVerified { get; init; }

    /// <summary>The checkpoint's signature was checked with <c>--log-key</c> (false when no key was given).</summary>
    public bool CheckpointSignatureVerified { get; init; }
}
