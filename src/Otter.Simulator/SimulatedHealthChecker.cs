using System.Text;
using Otter.Agent.Health;
using Otter.Agent.Platform;
using Otter.Trust.Bundles;

namespace Otter.Simulator;

/// <summary>
/// The simulated device's health probe: "runs" the booted slot's <c>app</c> stage (as
/// <c>sh "$OTTER_SLOT_DIR/app.stage"</c> does on a device folder) by reading the behaviour the
/// firmware was built with; a device whose own probe is broken fails whatever it boots.
/// </summary>
internal sealed class SimulatedHealthChecker(Func<bool> probeBroken) : IHealthChecker
{
    public string? Check(IDevicePlatform platform, string slot, SignedBootManifest manifest)
    {
        if (probeBroken())
        {
            return "health probe failed: the device's sensor bus does not answer (simulated hardware fault)";
        }

        string app;
        try
        {
            using var stream = platform.OpenStage(slot, SimulatedFirmware.AppStage);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            app = reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            // Firmware built elsewhere: no simulated behaviour, so healthy.
            return null;
        }

        return SimulatedFirmware.BehaviorOf(app) switch
        {
            FirmwareBehavior.FailsToBoot => $"{manifest.Manifest.Version} did not come up: kernel panic in the trial boot, the watchdog reset the device before any health check ran",
            FirmwareBehavior.FailsHealthProbe => $"health probe `sh $OTTER_SLOT_DIR/app.stage` exited with 1: {manifest.Manifest.Version} self-test failed",
            _ => null,
        };
    }
}
