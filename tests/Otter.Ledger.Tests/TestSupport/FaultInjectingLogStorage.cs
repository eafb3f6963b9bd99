using Otter.Ledger.Storage;

namespace Otter.Ledger.Tests.TestSupport;

/// <summary>
/// An <see cref="ILogStorage"/> around another that counts mutating calls
/// (<see cref="WriteAsync"/> and <see cref="TruncateAndAppendAsync"/>) and, once armed, throws
/// an <see cref="IOException"/> on the k-th of them, before or after performing it. Reads pass
/// through untouched.
/// </summary>
public sealed class FaultInjectingLogStorage(ILogStorage inner) : ILogStorage
{
    private readonly List<string> _mutations = [];
    private int? _failOn;
    private string? _failOnPath;
    private FaultTiming _timing;

    /// <summary>Paths of the mutating calls since the last <see cref="Arm"/> or <see cref="ResetCount"/>, in order (including a faulted one).</summary>
    public IReadOnlyList<string> Mutations => _mutations;

    /// <summary>The path of the call that faulted, or null.</summary>
    public string? FaultedPath { get; private set; }

    /// <summary>Throws on the <paramref name="k"/>-th mutating call from now (1-based), with <paramref name="timing"/>.</summary>
    public void Arm(int k, FaultTiming timing)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ResetCount();
        _failOn = k;
        _timing = timing;
    }

    /// <summary>Throws on the next mutating call of <paramref name="path"/>, with <paramref name="timing"/>.</summary>
    public void ArmOnPath(string path, FaultTiming timing)
    {
        ResetCount();
        _failOnPath = path;
        _timing = timing;
    }

    /// <summary>Stops counting towards a fault and forgets the calls seen so far.</summary>
    public void ResetCount()
    {
        _mutations.Clear();
        _failOn = null;
        _failOnPath = null;
        FaultedPath = null;
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) => inner.ReadAsync(path, cancellationToken);

    /// <inheritdoc />
    public async ValueTask WriteAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var fault = Count(path);
        if (fault && _timing == FaultTiming.BeforeWrite)
        {
            throw Fault(path);
        }

        await inner.WriteAsync(path, bytes, cancellationToken);
        if (fault)
        {
            throw Fault(path);
        }
    }

    /// <inheritdoc />
    public long Length(string path) => inner.Length(path);

    /// <inheritdoc />
    public async ValueTask TruncateAndAppendAsync(string path, long offset, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var fault = Count(path);
        if (fault && _timing == FaultTiming.BeforeWrite)
        {
            throw Fault(path);
        }

        await inner.TruncateAndAppendAsync(path, offset, bytes, cancellationToken);
        if (fault)
        {
            throw Fault(path);
        }
    }

    /// <inheritdoc />
    public int ReadAt(string path, long offset, Span<byte> buffer) => inner.ReadAt(path, offset, buffer);

    /// <inheritdoc />
    public bool Exists(string path) => inner.Exists(path);

    /// <inheritdoc />
    public IDisposable LockForWriting() => inner.LockForWriting();

    private bool Count(string path)
    {
        _mutations.Add(path);
        if (_failOnPath == path)
        {
            _failOnPath = null;
            return true;
        }

        return _failOn == _mutations.Count;
    }

    private IOException Fault(string path)
    {
        FaultedPath = path;
        return new IOException($"injected fault {_timing} mutating call {_mutations.Count} ({path})");
    }
}
