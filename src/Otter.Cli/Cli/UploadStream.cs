using System.Security.Cryptography;

namespace Otter.Cli.Cli;

/// <summary>
/// Reads a file for upload, hashing every byte sent (so the client can check the server's record
/// against what it really sent) and reporting progress. Not seekable on purpose: a rewind would
/// hash bytes twice.
/// </summary>
internal sealed class UploadStream(Stream inner, Action<long>? progress) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[]? _digest;

    /// <summary>Bytes read so far.</summary>
    public long Sent { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Sent;
        set => throw new NotSupportedException();
    }

    /// <summary>Lower-case hex SHA-256 of the bytes read; call after the upload (the HTTP content disposes the stream, the digest stays).</summary>
    public string Sha256() => Convert.ToHexStringLower(_digest ??= _hash.GetHashAndReset());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Account(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Account(buffer.Span[..read]);
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
            _digest ??= _hash.GetHashAndReset();
            _hash.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> bytes)
    {
        _hash.AppendData(bytes);
        Sent += bytes.Length;
        progress?.Invoke(Sent);
    }
}
