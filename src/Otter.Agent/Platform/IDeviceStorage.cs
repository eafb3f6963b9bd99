namespace Otter.Agent.Platform;

/// <summary>
/// The device's persistent storage, by path relative to the device root. Every mutation is
/// durable when it returns; <see cref="WriteFileAtomic"/> replaces a file all-or-nothing
/// (write, fsync, rename, fsync directory). Tests wrap it to cut power after any write.
/// </summary>
public interface IDeviceStorage
{
    /// <summary>The bytes of <paramref name="path"/>, or null when absent.</summary>
    byte[]? ReadFile(string path);

    /// <summary>Replaces <paramref name="path"/> all-or-nothing.</summary>
    void WriteFileAtomic(string path, ReadOnlySpan<byte> bytes);

    /// <summary>Replaces <paramref name="path"/> all-or-nothing with a file only the agent's user can read (mode 0600), for secrets.</summary>
    void WriteSecretFileAtomic(string path, ReadOnlySpan<byte> bytes);

    /// <summary>Creates (or truncates) <paramref name="path"/> for streaming writes; disposing flushes it to disk.</summary>
    Stream CreateFile(string path);

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    Stream OpenRead(string path);

    /// <summary>Deletes every file under <paramref name="directory"/> (the directory itself stays).</summary>
    void ClearDirectory(string directory);

    /// <summary>Whether <paramref name="path"/> exists.</summary>
    bool Exists(string path);

    /// <summary>Deletes <paramref name="path"/> durably; nothing happens when it is absent.</summary>
    void Delete(string path);

    /// <summary>The absolute path, for tools that need one (health probes).</summary>
    string FullPath(string path);
}
