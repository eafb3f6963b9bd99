using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Otter.Simulator;

/// <summary>
/// Identical file contents shared between simulated devices (TUF metadata, stages, CA
/// certificates): a hundred thousand devices hold one copy of a release, not a hundred thousand.
/// Contents are immutable once pooled.
/// </summary>
internal sealed class ContentPool
{
    // Small files are mostly per-device (boot control, state); pooling them would only cost hashing.
    private const int MinimumPooled = 512;
    private readonly ConcurrentDictionary<string, byte[]> _contents = new(StringComparer.Ordinal);

    /// <summary>The pooled copy of <paramref name="bytes"/> (which the caller may then drop).</summary>
    public byte[] Intern(byte[] bytes)
    {
        if (bytes.Length < MinimumPooled)
        {
            return bytes;
        }

        var key = Convert.ToBase64String(SHA256.HashData(bytes));
        return _contents.GetOrAdd(key, bytes);
    }

    /// <summary>Distinct pooled contents.</summary>
    public int Count => _contents.Count;
}
