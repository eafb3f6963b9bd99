using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Otter.Agent;
using Otter.Agent.Fleet;
using Otter.Agent.Platform;
using Otter.Trust.Bundles;

namespace Otter.Simulator;

/// <summary>
/// A virtual fleet: devices provisioned in memory as a factory would (fused boot key, TUF root,
/// log key, fleet CA, a factory identity issued for a fresh key of their own), each running the
/// real fleet agent against a real server. Identical contents (metadata, releases) are shared,
/// so large fleets fit in memory.
/// </summary>
public sealed class FleetSimulator : IDisposable
{
    private readonly FleetTrust _trust;
    private readonly FleetSimulatorOptions _options;
    private readonly ContentPool _pool = new();
    private readonly DevelopmentFactoryCa _factory;
    private readonly string _fuse;
    private readonly List<SimulatedDevice> _devices = [];
    private readonly Lock _gate = new();
    private CancellationTokenSource? _running;
    private Task? _loop;

    private FleetSimulator(FleetTrust trust, FleetSimulatorOptions options)
    {
        _trust = trust;
        _options = options;
        _factory = DevelopmentFactoryCa.Load(trust.FactoryCaPem, trust.FactoryCaKeyPem, options.Time);
        _fuse = Convert.ToHexStringLower(SignedBootManifest.KeyHash(trust.BootKeyPem)) + "\n";
    }

    /// <summary>The devices, in the order they were added.</summary>
    public IReadOnlyList<SimulatedDevice> Devices
    {
        get
        {
            lock (_gate)
            {
                return [.. _devices];
            }
        }
    }

    /// <summary>Full sweeps over the fleet so far (in <see cref="Start"/>'s loop or <see cref="RunCycleAsync"/>).</summary>
    public int Sweeps { get; private set; }

    /// <summary>A simulator for a fleet trusting <paramref name="trust"/>.</summary>
    /// <exception cref="AgentException">The trust anchors are unusable.</exception>
    public static FleetSimulator Create(FleetTrust trust, FleetSimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Server.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"the device API {options.Server} is not https; devices talk to the server over HTTPS only.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        return new FleetSimulator(trust, options);
    }

    /// <summary>Provisions a device (in memory) with <paramref name="id"/> and <paramref name="behavior"/>; it enrolls at its first cycle.</summary>
    public SimulatedDevice Add(string id, DeviceBehavior behavior = DeviceBehavior.Healthy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var factoryKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var storage = new MemoryDeviceStorage(id, _pool);
        var identity = new DeviceIdentity
        {
            Id = id,
            Hardware = _options.Hardware,
            Key = DevicePaths.DeviceKey,
            LogOrigin = _trust.LogOrigin,
            LogPublicKey = _trust.LogKeyPem,
            BootAttempts = _options.BootAttempts,
            FactoryCertificate = DevicePaths.FactoryCertificate,
            FactoryKey = DevicePaths.FactoryKey,
        };

        // The factory's steps of DeviceProvisioner, on the in-memory flash; device.json last.
        storage.WriteFileAtomic(DevicePaths.FactoryCertificate, Encoding.ASCII.GetBytes(_factory.Issue(id, factoryKey, _options.Time)));
        storage.WriteFileAtomic(DevicePaths.FleetCa, Encoding.ASCII.GetBytes(_trust.FleetCaPem));
        storage.WriteFileAtomic(DevicePaths.FusedBootKey, Encoding.ASCII.GetBytes(_fuse));
        storage.WriteFileAtomic($"{DevicePaths.TufDirectory}/root.json", _trust.TrustedRoot);
        storage.WriteFileAtomic(DevicePaths.BootControl, JsonSerializer.SerializeToUtf8Bytes(new BootControl(), AgentJsonContext.Default.BootControl));
        storage.WriteFileAtomic(DevicePaths.Identity, JsonSerializer.SerializeToUtf8Bytes(identity, AgentJsonContext.Default.DeviceIdentity));
        var device = new SimulatedDevice(id, behavior, storage, deviceKey.ExportParameters(includePrivateParameters: true), factoryKey.ExportParameters(includePrivateParameters: true), _options);
        lock (_gate)
        {
            _devices.Add(device);
        }

        return device;
    }

    /// <summary>One cycle of every device in <paramref name="devices"/> (all by default), <see cref="FleetSimulatorOptions.Concurrency"/> at a time.</summary>
    /// <returns>How many cycles went through.</returns>
    public async Task<int> RunCycleAsync(IEnumerable<SimulatedDevice>? devices = null, CancellationToken cancellationToken = default)
    {
        var succeeded = 0;
        await Parallel.ForEachAsync(
            devices ?? Devices,
            new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
            async (device, token) =>
            {
                if (await device.RunCycleAsync(token))
                {
                    Interlocked.Increment(ref succeeded);
                }
            });
        Sweeps++;
        return succeeded;
    }

    /// <summary>Runs the fleet in the background: sweep after sweep, <paramref name="pause"/> apart, until <see cref="StopAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">The fleet is running already.</exception>
    public void Start(TimeSpan pause)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("the simulated fleet is running already.");
        }

        _running = new CancellationTokenSource();
        var token = _running.Token;
        _loop = Task.Run(
            async () =>
            {
                while (!token.IsCancellationRequested)
                {
                    await RunCycleAsync(cancellationToken: token);
                    await Task.Delay(pause, _options.Time, token);
                }
            },
            token);
    }

    /// <summary>Stops the background loop and waits for the cycles under way.</summary>
    public async Task StopAsync()
    {
        if (_running is null || _loop is null)
        {
            return;
        }

        await _running.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopping is what was asked for.
        }

        _running.Dispose();
        _running = null;
        _loop = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _running?.Cancel();
        _running?.Dispose();
        _factory.Dispose();
        foreach (var device in Devices)
        {
            device.Dispose();
        }
    }
}
