using System.Threading.RateLimiting;
using Otter.Server.Setup;

namespace Otter.Server.Devices;

/// <summary>Per-device token buckets (and per-address ones for unauthenticated calls): a flooding device gets 429, the rest are served.</summary>
internal sealed class DeviceLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public DeviceLimiter(ServerState state)
    {
        var perMinute = state.Settings.DeviceRequestsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 6),
            ReplenishmentPeriod = TimeSpan.FromSeconds(10),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Null when the request may go on; otherwise the seconds to wait.</summary>
    public int? TryAcquire(string partition)
    {
        using var lease = _limiter.AttemptAcquire(partition);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : 10;
    }

    public void Dispose() => _limiter.Dispose();
}
