namespace Otter.Cli.Cli;

/// <summary>What <c>otter log init</c> prints.</summary>
internal sealed record LogInfo(string Directory, string Origin, string VerifierKey, long Size, string Checkpoint);
