using System.Security.Cryptography;
using Otter.Agent.Boot;
using Otter.Agent.Fleet;
using Otter.Agent.Platform;
using Otter.Trust.Keys;

namespace Otter.Simulator;

/// <summary>
/// One simulated device: in-memory flash, its own device key and factory identity, and the real
/// <c>Otter.Agent</c> fleet agent talking HTTPS with mutual TLS to the server. Its
/// <see cref="Behavior"/> injects faults around the agent (network, power, clock, hardware),
/// never inside the code that verifies.
/// </summary>
public sealed class SimulatedDevice : IDisposable
{
    private static readonly IPassphraseSource NoPassphrases = new FixedPassphraseSource("otter-simulator: keys are held in memory");
    private readonly ECParameters _deviceKey;
    private readonly ECParameters _factoryKey;
    private readonly FleetSimulatorOptions _options;
    private readonly DeviceConsole _console = new();
    private bool _poweredOn;
    private int _cycles;
    private int _failedCycles;
    private int _bricked;

    internal SimulatedDevice(string id, DeviceBehavior behavior, MemoryDeviceStorage storage, ECParameters deviceKey, ECParameters factoryKey, FleetSimulatorOptions options)
    {
        Id = id;
        Behavior = behavior;
        Storage = storage;
        _deviceKey = deviceKey;
        _factoryKey = factoryKey;
        _options = options;
        Time = behavior == DeviceBehavior.ClockSkew ? new SkewedTimeProvider(options.Time, options.ClockSkew) : options.Time;
    }

    /// <summary>The device serial.</summary>
    public string Id { get; }

    /// <summary>How the device misbehaves.</summary>
    public DeviceBehavior Behavior { get; }

    /// <summary>The device's flash.</summary>
    public MemoryDeviceStorage Storage { get; }

    /// <summary>The device's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>What the network did to this device's traffic.</summary>
    public NetworkFaults Network { get; } = new();

    /// <summary>Fleet cycles run.</summary>
    public int Cycles => Volatile.Read(ref _cycles);

    /// <summary>Cycles that did not go through (refused, failed, cut).</summary>
    public int FailedCycles => Volatile.Read(ref _failedCycles);

    /// <summary>Where each power cut hit (the write it tore).</summary>
    public IReadOnlyList<string> PowerCuts => Storage.PowerCuts;

    /// <summary>Power-on boots after which the device had no verified image to run although it had one before: must stay 0.</summary>
    public int Bricked => Volatile.Read(ref _bricked);

    /// <summary>Installs per target, as the agent printed them (an install is a verified bundle staged in a slot).</summary>
    public IReadOnlyDictionary<string, int> Installs => _console.Installs;

    /// <summary>Downloads started.</summary>
    public int Downloads => _console.Downloads;

    /// <summary>Updates the agent refused (verification failures).</summary>
    public int Refusals => _console.Refusals;

    /// <summary>Updates installed that did not commit (boot or health failures).</summary>
    public int RolledBack => _console.RolledBack;

    /// <summary>The agent's last error line.</summary>
    public string? LastError => _console.LastError;

    /// <summary>The last lines the agent printed.</summary>
    public IReadOnlyList<string> Log => _console.Lines;

    /// <summary>The device's boot control block as it is on the flash.</summary>
    public BootControl BootControl => OpenPlatform().ReadBootControl();

    /// <summary>The version the device runs (its booted slot), or null.</summary>
    public string? RunningVersion => BootControl is { Booted: { } slot } control ? control.Slots[slot].Version : null;

    /// <summary>The target the device runs, or null.</summary>
    public string? RunningTarget => BootControl is { Booted: { } slot } control ? control.Slots[slot].Target : null;

    /// <summary>
    /// One fleet cycle: power on (and boot) when off, then the agent's cycle (enroll, check in,
    /// install, reboot, report). A power cut ends the cycle; the device boots again at once.
    /// </summary>
    /// <returns>Whether the cycle went through.</returns>
    public async Task<bool> RunCycleAsync(CancellationToken cancellationToken = default)
    {
        if (!_poweredOn)
        {
            PowerOnBoot();
        }

        // Cuts start once the device is enrolled: a device that loses power half-enrolled is a factory reject, not a field failure.
        if (Behavior == DeviceBehavior.PowerCut && Storage.Exists(DevicePaths.FleetCertificate) && Random.Shared.NextDouble() < _options.PowerCutChance)
        {
            Storage.ArmPowerCut(Random.Shared.Next(1, _options.PowerCutWindow + 1));
        }

        Interlocked.Increment(ref _cycles);
        bool succeeded;
        try
        {
            using var agent = FleetAgent.Open(Parts(), NoPassphrases, new FleetAgentOptions { Server = _options.Server }, Time, _console, _console);
            succeeded = (await agent.RunOnceAsync(cancellationToken)).Succeeded;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The agent lets only cancellation out; anything else is a bug worth seeing in the log.
            _console.Note($"the agent threw {ex.GetType().Name}: {ex.Message}");
            succeeded = false;
        }

        if (Storage.PoweredOff)
        {
            succeeded = false;
            PowerOnBoot();
        }
        else
        {
            Storage.Disarm();
        }

        if (!succeeded)
        {
            Interlocked.Increment(ref _failedCycles);
        }

        return succeeded;
    }

    /// <summary>Power returns and the device boots (the boot loader verifies the chain, finishes or abandons a trial).</summary>
    internal void PowerOnBoot()
    {
        var wasCut = Storage.PoweredOff;
        Storage.PowerOn();
        var platform = OpenPlatform();
        var before = platform.ReadBootControl();
        var hadImage = before.Slots.Values.Any(s => s.State == SlotState.Good);
        var boot = new BootLoader(platform, HealthChecker(), Time).Boot();
        _poweredOn = true;
        if (boot.Slot is null && hadImage)
        {
            Interlocked.Increment(ref _bricked);
            _console.Note($"BRICKED: no verified image boots after a power cut ({boot.Detail})");
        }

        if (wasCut)
        {
            _console.Note($"power cut at {Storage.PowerCuts[^1]}; power returned, booted slot {boot.Slot ?? "-"} ({boot.Outcome}, {boot.Version ?? "nothing"})");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _console.Dispose();

    private FleetAgentParts Parts()
    {
        var platform = OpenPlatform();
        var handler = Behavior is DeviceBehavior.FlakyNetwork or DeviceBehavior.SlowLink or DeviceBehavior.ManInTheMiddle or DeviceBehavior.ManInTheMiddleMetadata
            ? (Func<HttpMessageHandler, HttpMessageHandler>)(inner => new FaultyNetworkHandler(inner, Behavior, Network))
            : null;
        return new FleetAgentParts
        {
            Storage = Storage,
            Platform = platform,
            Health = HealthChecker(),
            Transport = handler,
            FactoryKey = () => new EcdsaSigner(ECDsa.Create(_factoryKey), "simulated factory key"),
        };
    }

    private SimulatedHealthChecker HealthChecker() => new(() => Behavior == DeviceBehavior.FailsHealthProbe);

    private SimulatedPlatform OpenPlatform() =>
        new(new SimulatedDevicePlatform(Storage, NoPassphrases), _deviceKey);
}
