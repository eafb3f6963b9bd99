using Otter.Server.Data;

namespace Otter.Server.Rollouts;

/// <summary>Moves one device between state counters of its wave.</summary>
internal static class WaveCounters
{
    public static void Move(RolloutWaveRow wave, string from, string to)
    {
        ArgumentNullException.ThrowIfNull(wave);
        if (from == to)
        {
            return;
        }

        Add(wave, from, -1);
        Add(wave, to, 1);
    }

    public static int Errors(RolloutWaveRow wave) => wave.Failed + wave.RolledBack + wave.TimedOut - wave.AcceptedErrors;

    /// <summary>Devices that count toward the thresholds: all but the skipped.</summary>
    public static int Effective(RolloutWaveRow wave) => wave.Total - wave.Skipped;

    private static void Add(RolloutWaveRow wave, string state, int delta)
    {
        switch (state)
        {
            case RolloutDeviceStates.Pending: wave.Pending += delta; break;
            case RolloutDeviceStates.Assigned: wave.Assigned += delta; break;
            case RolloutDeviceStates.Downloading: wave.Downloading += delta; break;
            case RolloutDeviceStates.Installed: wave.Installed += delta; break;
            case RolloutDeviceStates.Committed: wave.Committed += delta; break;
            case RolloutDeviceStates.Failed: wave.Failed += delta; break;
            case RolloutDeviceStates.RolledBack: wave.RolledBack += delta; break;
            case RolloutDeviceStates.TimedOut: wave.TimedOut += delta; break;
            case RolloutDeviceStates.Skipped: wave.Skipped += delta; break;
            case RolloutDeviceStates.Reverted: wave.Reverted += delta; break;
            default: throw new InvalidOperationException($"unknown rollout device state {state}");
        }
    }
}
