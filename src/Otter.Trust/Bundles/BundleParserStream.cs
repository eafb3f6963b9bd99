using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Otter.Trust.Bundles;

/// <summary>
/// Takes a bundle as a stream of writes (a download, a file copy) and routes it: the manifest
/// to <see cref="IBundleTarget.AcceptManifest"/>, each stage's bytes to its destination while
/// hashing them. Memory does not depend on the bundle's size. A stage whose bytes do not match
/// the manifest, extra bytes, or a bundle that ends early all throw <see cref="BundleException"/>.
/// </summary>
public sealed class BundleParserStream : Stream
{
    private readonly IBundleTarget _target;
    private readonly long? _expectedLength;
    private readonly byte[] _header = new byte[BundleFormat.HeaderLength];
    private byte[]? _manifestBuffer;
    private int _buffered;
    private long _received;
    private SignedBootManifest? _manifest;
    private int _stageIndex;
    private long _stageRemaining;
    private Stream? _stageStream;
    private IncrementalHash? _stageHash;
    private bool _completed;

    /// <summary>Parses into <paramref name="target"/>; <paramref name="expectedLength"/> (e.g. from TUF metadata) must then equal the bundle's own length.</summary>
    public BundleParserStream(IBundleTarget target, long? expectedLength = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _expectedLength = expectedLength;
    }

    /// <summary>The manifest, once read.</summary>
    public SignedBootManifest? Manifest => _manifest;

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => _received;

    /// <inheritdoc />
    public override long Position
    {
        get => _received;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_completed)
        {
            throw new InvalidOperationException("the bundle was already completed.");
        }

        _received += buffer.Length;
        while (!buffer.IsEmpty)
        {
            if (_manifest is null)
            {
                buffer = ReadHeaderAndManifest(buffer);
                continue;
            }

            if (_stageIndex >= _manifest.Manifest.Stages.Count)
            {
                throw new BundleException("the bundle has bytes after its last stage; it is not the bundle its manifest describes.");
            }

            var take = (int)Math.Min(buffer.Length, _stageRemaining);
            _stageStream!.Write(buffer[..take]);
            _stageHash!.AppendData(buffer[..take]);
            _stageRemaining -= take;
            buffer = buffer[take..];
            if (_stageRemaining == 0)
            {
                FinishStage();
            }
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Checks that the whole bundle arrived: every stage complete, nothing missing.</summary>
    /// <exception cref="BundleException">The bundle ended early.</exception>
    public SignedBootManifest Complete()
    {
        if (_manifest is null || _stageIndex < _manifest.Manifest.Stages.Count)
        {
            var stage = _manifest?.Manifest.Stages[_stageIndex];
            var where = stage is not null
                ? $"in stage \"{stage.Name}\" ({stage.Length - _stageRemaining} of its {stage.Length} bytes)"
                : _manifestBuffer is null
                    ? $"in its {BundleFormat.HeaderLength}-byte header"
                    : $"in its boot manifest ({_buffered} of {_manifestBuffer.Length} bytes)";
            throw new BundleException($"the bundle ends after {_received} bytes, {where}; it is truncated.");
        }

        _completed = true;
        return _manifest;
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stageHash?.Dispose();
            _stageStream?.Dispose();
        }

        base.Dispose(disposing);
    }

    private ReadOnlySpan<byte> ReadHeaderAndManifest(ReadOnlySpan<byte> buffer)
    {
        if (_manifestBuffer is null)
        {
            var take = Math.Min(buffer.Length, BundleFormat.HeaderLength - _buffered);
            buffer[..take].CopyTo(_header.AsSpan(_buffered));
            _buffered += take;
            buffer = buffer[take..];
            if (_buffered < BundleFormat.HeaderLength)
            {
                return buffer;
            }

            if (!_header.AsSpan(0, 8).SequenceEqual(BundleFormat.Magic))
            {
                throw new BundleException("the file is not an Otter bundle (it does not start with OTTERBD1); build bundles with `otter bundle create`.");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(8));
            if (length is 0 or > SignedBootManifest.MaxLength)
            {
                throw new BundleException($"the bundle declares a {length}-byte manifest; manifests are 1 to {SignedBootManifest.MaxLength} bytes.");
            }

            _manifestBuffer = new byte[length];
            _buffered = 0;
        }

        var part = Math.Min(buffer.Length, _manifestBuffer.Length - _buffered);
        buffer[..part].CopyTo(_manifestBuffer.AsSpan(_buffered));
        _buffered += part;
        buffer = buffer[part..];
        if (_buffered == _manifestBuffer.Length)
        {
            var manifest = SignedBootManifest.Parse(_manifestBuffer);
            var total = BundleFormat.HeaderLength + _manifestBuffer.Length + manifest.Manifest.Stages.Sum(s => s.Length);
            if (_expectedLength is { } expected && expected != total)
            {
                throw new BundleException($"the bundle's manifest describes {total} bytes but the release is {expected} bytes long; refused before writing anything.");
            }

            _target.AcceptManifest(manifest);
            _manifest = manifest;
            _manifestBuffer = null;
            StartStage();
        }

        return buffer;
    }

    private void StartStage()
    {
        // Zero-length stages complete at once.
        while (_stageIndex < _manifest!.Manifest.Stages.Count)
        {
            var stage = _manifest.Manifest.Stages[_stageIndex];
            _stageStream = _target.OpenStage(stage);
            _stageHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            _stageRemaining = stage.Length;
            if (_stageRemaining > 0)
            {
                return;
            }

            FinishStage(startNext: false);
        }
    }

    private void FinishStage(bool startNext = true)
    {
        var stage = _manifest!.Manifest.Stages[_stageIndex];
        var hash = _stageHash!.GetHashAndReset();
        _stageHash.Dispose();
        _stageHash = null;
        if (!CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(stage.Sha256)))
        {
            throw new BundleException($"stage \"{stage.Name}\" does not match its SHA-256 in the boot manifest; the bundle is corrupt or was altered.");
        }

        var destination = _stageStream!;
        _stageStream = null;
        _target.CompleteStage(stage, destination);
        _stageIndex++;
        if (startNext)
        {
            StartStage();
        }
    }
}
