using System.Buffers;
using System.Security.Cryptography;

namespace Otter.Trust.Tuf.Client;

/// <summary>Copies a target in one streaming pass while hashing it, never writing past its length.</summary>
internal static class VerifiedTargetCopy
{
    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/>, at most
    /// <paramref name="target"/>'s length, and checks the length and every hash Otter can
    /// check. Memory use is one fixed buffer whatever the target's size.
    /// </summary>
    public static async Task CopyAsync(Stream source, Stream destination, TargetInfo target, CancellationToken cancellationToken)
    {
        var file = target.File;
        var listedBy = $"the \"{target.Role}\" role";
        var checks = HashChecker.Checkable(file.Hashes, $"target {target.Path}", listedBy);
        var hashers = checks.Select(c => IncrementalHash.CreateHash(c.Algorithm)).ToArray();
        var buffer = ArrayPool<byte>.Shared.Rent(BoundedReader.BufferSize);
        try
        {
            var length = file.Length;
            long total = 0;
            while (true)
            {
                var room = length - total;
                var want = room >= buffer.Length ? buffer.Length : (int)room + 1;
                var read = await source.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                if (read > room)
                {
                    throw new DownloadTooLargeException(
                        $"target {target.Path} is longer than the {length} bytes {listedBy} gives it; the download was stopped there. Discard what was written: nothing from it may be installed.");
                }

                foreach (var hasher in hashers)
                {
                    hasher.AppendData(buffer, 0, read);
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
            }

            if (total != length)
            {
                throw new LengthOrHashMismatchException(
                    $"target {target.Path} ended after {total} bytes but {listedBy} gives it {length}; it was truncated or substituted. Discard what was written: nothing from it may be installed.");
            }

            for (var i = 0; i < checks.Count; i++)
            {
                var actual = hashers[i].GetHashAndReset();
                if (!CryptographicOperations.FixedTimeEquals(actual, checks[i].Expected))
                {
                    throw new LengthOrHashMismatchException(
                        $"target {target.Path} does not have the {checks[i].Name} hash {listedBy} gives it; it was corrupted or substituted. Discard what was written: nothing from it may be installed.");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (var hasher in hashers)
            {
                hasher.Dispose();
            }
        }
    }
}
