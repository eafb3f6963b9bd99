namespace Otter.Benchmarks;

/// <summary>A bundle published in the harness's repository: its target name, the stored file the device downloads, its length and SHA-256.</summary>
internal sealed record AgentInstallBundle(int OsMiB, string TargetName, string StoredPath, long Length, string Sha256);
