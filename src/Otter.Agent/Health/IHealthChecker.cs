using Otter.Agent.Platform;
using Otter.Trust.Bundles;

namespace Otter.Agent.Health;

/// <summary>Decides whether a trial boot is healthy.</summary>
public interface IHealthChecker
{
    /// <summary>Runs the probes for <paramref name="slot"/>; returns null when healthy, else why not.</summary>
    string? Check(IDevicePlatform platform, string slot, SignedBootManifest manifest);
}
