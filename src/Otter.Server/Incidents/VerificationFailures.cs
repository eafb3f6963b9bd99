using System.Collections.Concurrent;
using Otter.Server.Setup;

namespace Otter.Server.Incidents;

/// <summary>Counts refused updates per device in a sliding window; fires once when the threshold is reached.</summary>
internal sealed class VerificationFailures(ServerState state)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _recent = new(StringComparer.Ordinal);

    /// <summary>Records a failure; returns the count when it reaches the threshold (and starts counting afresh), else null.</summary>
    public int? Record(string deviceId, DateTimeOffset now)
    {
        var settings = state.Settings.Incidents;
        var window = TimeSpan.FromMinutes(settings.VerificationFailureWindowMinutes);
        var queue = _recent.GetOrAdd(deviceId, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            queue.Enqueue(now);
            while (queue.Count > 0 && now - queue.Peek() > window)
            {
                queue.Dequeue();
            }

            if (queue.Count < settings.VerificationFailureThreshold)
            {
                return null;
            }

            var count = queue.Count;
            queue.Clear();
            return count;
        }
    }
}
