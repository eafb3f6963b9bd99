namespace Otter.Cli.Cli;

/// <summary>What <c>otter repo verify</c> found.</summary>
internal sealed record VerifyReport(
    string Directory,
    bool Ok,
    long? RootVersion,
    long? TimestampVersion,
    long? SnapshotVersion,
    long? TargetsVersion,
    IReadOnlyList<TargetCheck> Targets,
    string? Error);
