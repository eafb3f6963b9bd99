namespace Otter.Simulator;

/// <summary>A response body that breaks off with a connection reset after <paramref name="resetAt"/> bytes, or delays every read.</summary>
internal sealed class FaultyStream(Stream inner, long resetAt, TimeSpan? delay, NetworkFaults faults) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= resetAt)
        {
            faults.Reset();
            throw new IOException("connection reset by peer (simulated flaky network)");
        }

        if (delay is { } wait)
        {
            faults.Delayed();
            await Task.Delay(wait, cancellationToken);
        }

        var limit = (int)Math.Min(buffer.Length, Math.Min(16 * 1024, resetAt - _position));
        var read = await inner.ReadAsync(buffer[..limit], cancellationToken);
        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
