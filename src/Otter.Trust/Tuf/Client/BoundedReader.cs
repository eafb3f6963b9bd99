using System.Buffers;

namespace Otter.Trust.Tuf.Client;

/// <summary>Reads a download into memory without ever reading more than one byte past its cap.</summary>
internal static class BoundedReader
{
    internal const int BufferSize = 81920;

    /// <summary>
    /// Reads <paramref name="source"/> to its end, reading at most <paramref name="cap"/> + 1
    /// bytes: the extra byte is only there to notice that the data goes on.
    /// </summary>
    /// <param name="source">The stream to read.</param>
    /// <param name="cap">The most bytes allowed.</param>
    /// <param name="fileName">The file being read, for messages.</param>
    /// <param name="capSource">Where the cap comes from, for messages (e.g. "the length timestamp.json gives it").</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="DownloadTooLargeException">The data is longer than <paramref name="cap"/>.</exception>
    public static async Task<byte[]> ReadAsync(Stream source, long cap, string fileName, string capSource, CancellationToken cancellationToken)
    {
        var limit = Math.Min(Math.Max(cap, 0), Array.MaxLength);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var output = new MemoryStream();
            long total = 0;
            while (true)
            {
                var room = limit - total;
                var want = room >= buffer.Length ? buffer.Length : (int)room + 1;
                var read = await source.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return output.ToArray();
                }

                if (read > room)
                {
                    throw new DownloadTooLargeException(
                        $"{fileName} is longer than the {limit} bytes allowed by {capSource}; the download was stopped and nothing was trusted from it.");
                }

                output.Write(buffer, 0, read);
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
