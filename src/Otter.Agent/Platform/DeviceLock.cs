namespace Otter.Agent.Platform;

/// <summary>Keeps two agent processes from installing into or booting one device at the same time.</summary>
public static class DeviceLock
{
    /// <summary>Takes the device's lock, released on dispose.</summary>
    /// <exception cref="AgentException">Another agent process holds it.</exception>
    public static IDisposable Acquire(string deviceDirectory)
    {
        try
        {
            // The lock file stays: deleting it would let two processes each lock a different file.
            return new FileStream(Path.Combine(deviceDirectory, ".otter-agent.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new AgentException($"another otter-agent is installing or booting {deviceDirectory}; wait for it to finish.", ex);
        }
    }
}
