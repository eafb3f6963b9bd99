using Otter.Agent.Health;
using Otter.Agent.Platform;
using Otter.Trust.Keys;

namespace Otter.Agent.Fleet;

/// <summary>
/// What a <see cref="FleetAgent"/> is made of besides its options: the device's storage and
/// platform, its health checks, its lock, and optionally a wrapper around its network handler.
/// <c>otter-agent</c> uses a device folder; the fleet simulator uses in-memory devices with
/// injected faults. The verifying code path is the same for both.
/// </summary>
internal sealed record FleetAgentParts
{
    /// <summary>The device's persistent storage (fleet files, state).</summary>
    public required IDeviceStorage Storage { get; init; }

    /// <summary>The device platform the update client and boot loader work on.</summary>
    public required IDevicePlatform Platform { get; init; }

    /// <summary>Decides whether a trial boot is healthy.</summary>
    public IHealthChecker Health { get; init; } = new ProbeHealthChecker();

    /// <summary>Held for the whole of a cycle (the device folder's lock file for otter-agent).</summary>
    public Func<IDisposable> Lock { get; init; } = static () => NoLock.Instance;

    /// <summary>Wraps the TLS handler of every request the agent makes (device API, repository, log); none when null.</summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? Transport { get; init; }

    /// <summary>Opens the factory identity key; the key named in <c>device.json</c> when null.</summary>
    public Func<ISigner>? FactoryKey { get; init; }

    private sealed class NoLock : IDisposable
    {
        public static readonly NoLock Instance = new();

        public void Dispose()
        {
        }
    }
}
