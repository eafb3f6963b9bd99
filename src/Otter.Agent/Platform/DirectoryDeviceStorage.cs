using Otter.Trust.IO;

namespace Otter.Agent.Platform;

/// <summary>Device storage in a directory, with write-fsync-rename for every state change.</summary>
public sealed class DirectoryDeviceStorage : IDeviceStorage
{
    /// <summary>Uses <paramref name="root"/> as the device root.</summary>
    public DirectoryDeviceStorage(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The device root directory.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public byte[]? ReadFile(string path)
    {
        var full = FullPath(path);
        return File.Exists(full) ? File.ReadAllBytes(full) : null;
    }

    /// <inheritdoc />
    public void WriteFileAtomic(string path, ReadOnlySpan<byte> bytes) => DurableFiles.WriteAtomic(FullPath(path), bytes);

    /// <inheritdoc />
    public void WriteSecretFileAtomic(string path, ReadOnlySpan<byte> bytes) =>
        DurableFiles.WriteAtomic(FullPath(path), bytes, UnixFileMode.UserRead | UnixFileMode.UserWrite);

    /// <inheritdoc />
    public Stream CreateFile(string path)
    {
        var full = FullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new DurableFileStream(full);
    }

    /// <inheritdoc />
    public Stream OpenRead(string path) =>
        new FileStream(FullPath(path), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    /// <inheritdoc />
    public void ClearDirectory(string directory)
    {
        var full = FullPath(directory);
        if (!Directory.Exists(full))
        {
            Directory.CreateDirectory(full);
            return;
        }

        foreach (var file in Directory.EnumerateFiles(full))
        {
            File.Delete(file);
        }

        SyncDirectory(full);
    }

    /// <inheritdoc />
    public bool Exists(string path) => File.Exists(FullPath(path));

    /// <inheritdoc />
    public void Delete(string path)
    {
        var full = FullPath(path);
        if (File.Exists(full))
        {
            File.Delete(full);
            SyncDirectory(Path.GetDirectoryName(full)!);
        }
    }

    /// <inheritdoc />
    public string FullPath(string path)
    {
        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"\"{path}\" is not a device path.", nameof(path));
        }

        return Path.Combine(Root, path.Replace('/', Path.DirectorySeparatorChar));
    }

    internal static void SyncDirectory(string directory) => DurableFiles.SyncDirectory(directory);
}
