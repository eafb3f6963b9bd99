namespace Otter.Agent.Tests.TestSupport;

/// <summary>A real stream's bytes, then zeros for ever; reports every read to <c>served</c>.</summary>
internal sealed class EndlessTargetStream(Stream real, Action<int> served) : Stream
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

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = real.Read(buffer, offset, count);
        if (read == 0)
        {
            Array.Clear(buffer, offset, count);
            read = count;
        }

        _position += read;
        served(read);
        return read;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var array = new byte[buffer.Length];
        var read = Read(array, 0, array.Length);
        array.AsSpan(0, read).CopyTo(buffer.Span);
        return ValueTask.FromResult(read);
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
            real.Dispose();
        }

        base.Dispose(disposing);
    }
}
