using System.Runtime.InteropServices;
using System.Text;

namespace Otter.Agent.Platform;

/// <summary>Device storage in a directory, with write-fsync-rename for every state change.</summary>
public sealed class DirectoryDeviceStorage : IDeviceStorage
{
    private const string TempPrefix = ".otter-tmp-";

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
    public void WriteFileAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        var full = FullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        SyncDirectory(directory);
    }

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

    internal static void SyncDirectory(string directory)
    {
        // A rename is durable only once its directory is flushed; .NET cannot open a directory.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = NativeMethods.Open(Encoding.UTF8.GetBytes(directory + "\0"), NativeMethods.ReadOnlyDirectory);
        if (fd >= 0)
        {
            _ = NativeMethods.Fsync(fd);
            _ = NativeMethods.Close(fd);
        }
    }

    private static class NativeMethods
    {
        internal const int ReadOnlyDirectory = 0x10000;

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Open(byte[] path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Close(int fd);
    }
}
