using System.Runtime.InteropServices;
using System.Text;

namespace Otter.Ledger.Storage;

/// <summary>
/// A log kept as files under a directory, laid out exactly as its URLs: serve the directory
/// with any static web server and it is a C2SP tlog-tiles log.
/// </summary>
public sealed class DirectoryLogStorage : ILogStorage
{
    private const string TempPrefix = ".otter-tmp-";
    private readonly string _root;

    /// <summary>Uses <paramref name="directory"/>, which must exist.</summary>
    public DirectoryLogStorage(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        _root = Path.GetFullPath(directory);
    }

    /// <summary>The directory's full path.</summary>
    public string DirectoryPath => _root;

    /// <inheritdoc />
    public async ValueTask<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var full = Resolve(path);
        try
        {
            return await File.ReadAllBytesAsync(full, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var full = Resolve(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(bytes, cancellationToken);
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
    public long Length(string path)
    {
        var info = new FileInfo(Resolve(path));
        return info.Exists ? info.Length : -1;
    }

    /// <inheritdoc />
    public async ValueTask TruncateAndAppendAsync(string path, long offset, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var full = Resolve(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var created = !File.Exists(full);
        await using (var stream = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.Asynchronous))
        {
            if (stream.Length < offset)
            {
                throw new LogStateException($"{path} holds {stream.Length} bytes where at least {offset} were expected; the log directory is damaged.");
            }

            stream.SetLength(offset);
            stream.Position = offset;
            await stream.WriteAsync(bytes, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        if (created)
        {
            SyncDirectory(Path.GetDirectoryName(full)!);
        }
    }

    /// <inheritdoc />
    public int ReadAt(string path, long offset, Span<byte> buffer)
    {
        using var handle = File.OpenHandle(Resolve(path), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <inheritdoc />
    public bool Exists(string path) => File.Exists(Resolve(path));

    /// <inheritdoc />
    public IDisposable LockForWriting()
    {
        Directory.CreateDirectory(_root);
        try
        {
            // The lock file stays: deleting it would let two writers each lock a different file.
            return new FileStream(Path.Combine(_root, ".otter-lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new LogStateException($"the log in {_root} is being written by another process (lock file .otter-lock); wait for it to finish.", ex);
        }
    }

    /// <summary>Deletes temporary files left by writes that a crash interrupted.</summary>
    public void CleanTemporaryFiles()
    {
        if (!Directory.Exists(_root))
        {
            return;
        }

        foreach (var stale in Directory.EnumerateFiles(_root, TempPrefix + "*", SearchOption.AllDirectories))
        {
            File.Delete(stale);
        }
    }

    private string Resolve(string path)
    {
        if (path.Length == 0 || path.Contains('\\', StringComparison.Ordinal) || path.StartsWith('/') || path.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"\"{path}\" is not a log resource path.", nameof(path));
        }

        return Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar));
    }

    private static void SyncDirectory(string directory)
    {
        // A rename is durable only once its directory is flushed; .NET cannot open a
        // directory, so libc does it.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = NativeMethods.Open(Encoding.UTF8.GetBytes(directory + "\0"), NativeMethods.ReadOnly | NativeMethods.Directory);
        if (fd < 0)
        {
            return;
        }

        _ = NativeMethods.Fsync(fd);
        _ = NativeMethods.Close(fd);
    }

    private static class NativeMethods
    {
        internal const int ReadOnly = 0;
        internal const int Directory = 0x10000;

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
