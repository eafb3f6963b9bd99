namespace Otter.Ledger.Storage;

/// <summary>
/// Where a log writer keeps its files. Every write is atomic and durable when it returns
/// (written to a temporary file, flushed, renamed, directory flushed), so a crash leaves each
/// file either as it was or as written.
/// </summary>
public interface ILogStorage : ILogReader
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/>, atomically and durably.</summary>
    ValueTask WriteAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>
    /// Writes several files, each atomically; all are durable when it returns (not one by one:
    /// an implementation may flush each directory once at the end).
    /// </summary>
    async ValueTask WriteAllAsync(IReadOnlyList<(string Path, byte[] Bytes)> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var (path, bytes) in files)
        {
            await WriteAsync(path, bytes, cancellationToken);
        }
    }

    /// <summary>Length of <paramref name="path"/>, or -1 when absent.</summary>
    long Length(string path);

    /// <summary>
    /// Cuts <paramref name="path"/> to <paramref name="offset"/> bytes, appends <paramref name="bytes"/>
    /// and flushes (for the append-only leaf index; creates the file when absent).
    /// </summary>
    ValueTask TruncateAndAppendAsync(string path, long offset, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="path"/> at <paramref name="offset"/>; returns bytes read (fewer at the end of the file).</summary>
    int ReadAt(string path, long offset, Span<byte> buffer);

    /// <summary>Whether <paramref name="path"/> exists.</summary>
    bool Exists(string path);

    /// <summary>Takes the single-writer lock, released on dispose.</summary>
    /// <exception cref="LogStateException">Another writer holds it.</exception>
    IDisposable LockForWriting();
}
