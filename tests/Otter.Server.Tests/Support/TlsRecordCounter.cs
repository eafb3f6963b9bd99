using System.Collections.Concurrent;

namespace Otter.Server.Tests.Support;

/// <summary>
/// A stream between a client's TLS layer and its socket that reads the server's bytes as TLS
/// records (RFC 8446 §5.1: type, version, 2-byte length) and keeps the length of every
/// application-data record. Encrypted, so only the framing is seen, as on the wire.
/// </summary>
internal sealed class TlsRecordCounter(Stream inner) : Stream
{
    private const byte ApplicationData = 23;
    private readonly byte[] _header = new byte[5];
    private int _headerFilled;
    private int _bodyLeft;

    /// <summary>Ciphertext lengths of the application-data records received, in order.</summary>
    public ConcurrentQueue<int> ApplicationRecords { get; } = new();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Observe(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Observe(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Observe(ReadOnlySpan<byte> bytes)
    {
        var read = bytes.Length;
        while (bytes.Length > 0)
        {
            if (_bodyLeft > 0)
            {
                var skip = Math.Min(_bodyLeft, bytes.Length);
                _bodyLeft -= skip;
                bytes = bytes[skip..];
                continue;
            }

            var take = Math.Min(_header.Length - _headerFilled, bytes.Length);
            bytes[..take].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += take;
            bytes = bytes[take..];
            if (_headerFilled == _header.Length)
            {
                _bodyLeft = (_header[3] << 8) | _header[4];
                if (_header[0] == ApplicationData)
                {
                    ApplicationRecords.Enqueue(_bodyLeft);
                }

                _headerFilled = 0;
            }
        }

        return read;
    }
}
