using Otter.Trust.IO;

namespace Otter.Ledger.Storage;

/// <summary>
/// A log kept as files under a directory, laid out exactly as its URLs: serve the directory
/// with any static web server and it is a C2SP tlog-tiles log.
/// </summary>
public sealed class DirectoryLogStorage : ILogStorage
{
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
    public async ValueTask WriteAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        await DurableFiles.WriteAtomicAsync(Resolve(path), bytes, cancellationToken);

    /// <inheritdoc />
    public async ValueTask WriteAllAsync(IReadOnlyList<(string Path, byte[] Bytes)> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, bytes) in files)
        {
            var full = Resolve(path);
            await DurableFiles.WriteAtomicAsync(full, bytes, cancellationToken, syncDirectory: false);
            directories.Add(Path.GetDirectoryName(full)!);
        }

        // One flush per directory makes every rename above durable before the caller goes on.
        foreach (var directory in directories)
        {
            DurableFiles.SyncDirectory(directory);
        }
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
            DurableFiles.SyncDirectory(Path.GetDirectoryName(full)!);
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

        foreach (var stale in Directory.EnumerateFiles(_root, DurableFiles.TempPrefix + "*", SearchOption.AllDirectories))
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
}
