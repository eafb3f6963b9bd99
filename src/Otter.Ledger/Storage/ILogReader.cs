namespace Otter.Ledger.Storage;

/// <summary>Reads a tiles log's static resources (a directory, an HTTP prefix, a test double).</summary>
public interface ILogReader
{
    /// <summary>The bytes of <paramref name="path"/> (e.g. <c>checkpoint</c>, <c>tile/0/x001/234</c>), or null when absent.</summary>
    ValueTask<byte[]?> ReadAsync(string path, CancellationToken cancellationToken);
}
