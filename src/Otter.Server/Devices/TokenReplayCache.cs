using System.Collections.Concurrent;

namespace Otter.Server.Devices;

/// <summary>
/// Remembers every device-token nonce for as long as its timestamp is inside the accepted window,
/// so a captured request cannot be sent again. Per-device rate limits bound its growth.
/// </summary>
internal sealed class TokenReplayCache(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private long _inserts;

    /// <summary>False when this (device, nonce) was already used.</summary>
    public bool TryUse(string deviceId, string nonce)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        // Kept for two windows: a token is accepted only within one window of its timestamp either way.
        var expires = now + (long)(2 * Otter.Protocol.Device.DeviceToken.Window.TotalSeconds);
        if (!_seen.TryAdd(deviceId + "\n" + nonce, expires))
        {
            return false;
        }

        if (Interlocked.Increment(ref _inserts) % 4096 == 0)
        {
            foreach (var (key, expiry) in _seen)
            {
                if (expiry < now)
                {
                    _seen.TryRemove(key, out _);
                }
            }
        }

        return true;
    }
}
