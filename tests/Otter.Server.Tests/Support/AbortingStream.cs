namespace Otter.Server.Tests.Support;

/// <summary>Serves <c>bytes</c> up to <c>abortAt</c>, then cancels the request (a client that dies mid-upload).</summary>
internal sealed class AbortingStream(byte[] bytes, int abortAt, CancellationTokenSource cancel) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => bytes.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= abortAt)
        {
            cancel.Cancel();
            throw new IOException("client died mid-upload");
        }

        var n = Math.Min(count, abortAt - _position);
        Array.Copy(bytes, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
