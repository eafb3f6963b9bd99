using Otter.Ledger.Storage;

namespace Otter.Ledger.Tests.TestSupport;

/// <summary>An in-memory tiles log as a client would see it, counting reads.</summary>
public sealed class MemoryLogReader(IReadOnlyDictionary<string, byte[]> files) : ILogReader
{
    private readonly List<string> _reads = [];

    /// <summary>Every path read, in order.</summary>
    public IReadOnlyList<string> Reads => _reads;

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        _reads.Add(path);
        return ValueTask.FromResult(files.TryGetValue(path, out var bytes) ? bytes.ToArray() : null);
    }
}
