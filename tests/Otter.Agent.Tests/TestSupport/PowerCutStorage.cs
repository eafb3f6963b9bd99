using Otter.Agent.Platform;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>
/// Device storage that loses power at its <c>cutAt</c>-th mutating operation: WriteFileAtomic,
/// CreateFile, every Write, Flush and closing flush of the streams it returns, ClearDirectory
/// and Delete all count. The operation that meets the cut is torn the way a real one can be
/// (an atomic replace does not happen, a stream write lands half, a directory clear deletes one
/// file) and throws <see cref="PowerCutException"/>; so does every later mutation. Reads keep
/// working, as the bytes are still on the flash.
/// </summary>
internal sealed class PowerCutStorage(IDeviceStorage inner, long cutAt = long.MaxValue) : IDeviceStorage
{
    private readonly List<string> _log = [];

    /// <summary>Mutating operations attempted so far (including the one the power was cut at).</summary>
    public long Operations { get; private set; }

    public bool PowerCut { get; private set; }

    /// <summary>The operation the power is cut at.</summary>
    public long CutAt => cutAt;

    /// <summary>Whether the operation just counted is the one the power was cut at (and may be torn).</summary>
    public bool IsCutOperation => Operations == cutAt;

    /// <summary>What each operation was, in order (for failure messages).</summary>
    public IReadOnlyList<string> OperationLog => _log;

    public byte[]? ReadFile(string path) => inner.ReadFile(path);

    public void WriteFileAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        Mutate($"write-atomic {path}");
        inner.WriteFileAtomic(path, bytes);
    }

    public void WriteSecretFileAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        Mutate($"write-secret {path}");
        inner.WriteSecretFileAtomic(path, bytes);
    }

    public Stream CreateFile(string path)
    {
        Mutate($"create {path}");
        return new PowerCutStream(this, path, inner.CreateFile(path));
    }

    public Stream OpenRead(string path) => inner.OpenRead(path);

    public void ClearDirectory(string directory)
    {
        try
        {
            Mutate($"clear {directory}");
        }
        catch (PowerCutException) when (IsCutOperation)
        {
            // Torn: the first file went before the lights did.
            var full = inner.FullPath(directory);
            if (Directory.Exists(full) && Directory.EnumerateFiles(full).FirstOrDefault() is { } first)
            {
                File.Delete(first);
            }

            throw;
        }

        inner.ClearDirectory(directory);
    }

    public bool Exists(string path) => inner.Exists(path);

    public void Delete(string path)
    {
        Mutate($"delete {path}");
        inner.Delete(path);
    }

    public string FullPath(string path) => inner.FullPath(path);

    /// <summary>Counts one mutation; throws when the power is (or was already) cut.</summary>
    internal void Mutate(string what)
    {
        Operations++;
        _log.Add(what);
        if (PowerCut || Operations >= cutAt)
        {
            PowerCut = true;
            throw new PowerCutException($"power cut at operation {Operations} ({what})");
        }
    }
}
