namespace Otter.Agent.Tests.TestSupport;

/// <summary>A write stream of <see cref="PowerCutStorage"/>: every write and flush, and the closing flush, counts as a mutation.</summary>
internal sealed class PowerCutStream(PowerCutStorage storage, string path, Stream inner) : Stream
{
    private bool _disposed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            storage.Mutate($"write {buffer.Length} bytes to {path}");
        }
        catch (PowerCutException) when (storage.IsCutOperation)
        {
            // Torn: half of this write reached the file.
            inner.Write(buffer[..(buffer.Length / 2)]);
            throw;
        }

        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
        storage.Mutate($"flush {path}");
        inner.Flush();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            try
            {
                // Closing flushes the file to disk: one more persisted step.
                storage.Mutate($"close {path}");
            }
            finally
            {
                // The handle goes either way; what the file holds is what reached it.
                inner.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
