using System.Security.Cryptography;
using System.Text;
using Otter.Trust.Bundles;
using Otter.Trust.Keys;

namespace Otter.Simulator;

/// <summary>
/// Builds real release bundles (first stage, OS, app; a boot manifest signed with the boot key)
/// whose <c>app</c> stage is a health-probe script that also tells the simulator how the firmware
/// behaves. The bytes are signed like any release: a device cannot tell them from real firmware.
/// </summary>
public static class SimulatedFirmware
{
    /// <summary>The stage the health probe runs.</summary>
    public const string AppStage = "app";

    private const string Marker = "# otter-simulator: ";

    /// <summary>Writes a bundle into <paramref name="directory"/> and returns its path.</summary>
    /// <param name="directory">Where the stages and the bundle are written.</param>
    /// <param name="version">The display version.</param>
    /// <param name="securityCounter">The anti-rollback counter.</param>
    /// <param name="hardware">The hardware id devices must have.</param>
    /// <param name="behavior">How the firmware behaves once booted.</param>
    /// <param name="bootKey">Signs the boot manifest (its hash is fused into the devices).</param>
    /// <param name="osBytes">Size of the random OS image.</param>
    public static string Create(string directory, string version, long securityCounter, string hardware, FirmwareBehavior behavior, ISigner bootKey, int osBytes = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(bootKey);
        ArgumentOutOfRangeException.ThrowIfNegative(osBytes);
        var stages = Path.Combine(directory, $"stages-{version}");
        Directory.CreateDirectory(stages);
        var fsbl = Path.Combine(stages, "fsbl");
        var os = Path.Combine(stages, "os");
        var app = Path.Combine(stages, AppStage);
        File.WriteAllText(fsbl, $"first-stage boot loader for {hardware}\n");
        File.WriteAllBytes(os, RandomNumberGenerator.GetBytes(osBytes));
        File.WriteAllText(app, Script(version, behavior));
        var bundle = Path.Combine(directory, $"{hardware}-{version}.bundle");
        using (var stream = File.Create(bundle))
        {
            BundleWriter.Write(stream, version, securityCounter, hardware, [new BundleStageInput("fsbl", fsbl), new BundleStageInput("os", os), new BundleStageInput(AppStage, app)], bootKey);
        }

        return bundle;
    }

    /// <summary>The behaviour an app stage was built with (healthy when it names none).</summary>
    public static FirmwareBehavior BehaviorOf(string appStage)
    {
        ArgumentNullException.ThrowIfNull(appStage);
        foreach (var line in appStage.Split('\n'))
        {
            if (line.StartsWith(Marker, StringComparison.Ordinal) && Enum.TryParse<FirmwareBehavior>(line[Marker.Length..].Trim(), out var behavior))
            {
                return behavior;
            }
        }

        return FirmwareBehavior.Healthy;
    }

    // A real script: on a device folder, `sh "$OTTER_SLOT_DIR/app.stage"` gives the same verdict.
    private static string Script(string version, FirmwareBehavior behavior) =>
        new StringBuilder()
            .Append("#!/bin/sh\n")
            .Append(Marker).Append(behavior).Append('\n')
            .Append("# self-test of firmware ").Append(version).Append('\n')
            .Append(behavior == FirmwareBehavior.Healthy ? "exit 0\n" : "echo \"self-test failed\" >&2\nexit 1\n")
            .ToString();
}
