using Otter.Trust.Bundles;

namespace Otter.Agent.Boot;

/// <summary>The result of verifying a slot's boot chain.</summary>
public sealed record ChainResult(bool Ok, SignedBootManifest? Manifest, string Measurement, string? Failure);
