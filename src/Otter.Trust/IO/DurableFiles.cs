using System.Runtime.InteropServices;
using System.Text;

namespace Otter.Trust.IO;

/// <summary>
/// Crash-safe file replacement: write a temporary file beside the target, flush it to disk,
/// rename it over the target, flush the directory. After a power cut the target holds either
/// its old or its new bytes, never a mix.
/// </summary>
public static class DurableFiles
{
    /// <summary>Prefix of the temporary files, so stale ones can be recognised and removed.</summary>
    public const string TempPrefix = ".otter-tmp-";

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically and durably.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> bytes) => WriteAtomic(path, bytes, null);

    /// <summary>
    /// Replaces <paramref name="path"/> atomically and durably with a file that has
    /// <paramref name="unixCreateMode"/> from its first byte (for secrets: never readable by others,
    /// not even before a chmod).
    /// </summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> bytes, UnixFileMode? unixCreateMode)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = TempPath(directory);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (unixCreateMode is { } mode && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        SyncDirectory(directory);
    }

    /// <summary>The asynchronous form of <see cref="WriteAtomic(string, ReadOnlySpan{byte})"/>.</summary>
    /// <param name="path">The file to replace.</param>
    /// <param name="bytes">Its new content.</param>
    /// <param name="cancellationToken">Cancels the write (the old file is then kept).</param>
    /// <param name="syncDirectory">
    /// False leaves the rename's durability to a later <see cref="SyncDirectory"/> of the same
    /// directory, so that a batch of files costs one directory flush.
    /// </param>
    public static async Task WriteAtomicAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken, bool syncDirectory = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = TempPath(directory);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(bytes, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        if (syncDirectory)
        {
            SyncDirectory(directory);
        }
    }

    /// <summary>A new temporary file name in <paramref name="directory"/>.</summary>
    public static string TempPath(string directory) => Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Flushes a directory, which makes the renames and creations in it durable. .NET cannot
    /// open a directory, so libc does it; a no-op where that is not possible.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
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
