using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Otter.Server.Data;
using Otter.Server.Rollouts.Filters;

namespace Otter.Server.Rollouts;

/// <summary>
/// Places the selected devices into waves, deterministically: tag waves take their devices first;
/// the rest are ordered by a rank derived from SHA-256(rollout id, device id) and cut at the
/// cumulative percentages. The same rollout always gets the same waves, restart or not.
/// </summary>
internal static class RolloutPlanner
{
    public static long Rank(long rolloutId, string deviceId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{rolloutId}:{deviceId}"));
        return BinaryPrimitives.ReadInt64BigEndian(hash) & long.MaxValue;
    }

    public static List<RolloutDeviceRow> Plan(long rolloutId, IReadOnlyList<WaveSpec> waves, IReadOnlyList<DeviceFacts> devices, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(waves);
        ArgumentNullException.ThrowIfNull(devices);
        var placed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var w = 0; w < waves.Count; w++)
        {
            if (waves[w].Tag is { } tag)
            {
                foreach (var device in devices.Where(d => d.Tags.Contains(tag) && !placed.ContainsKey(d.Id)))
                {
                    placed[device.Id] = w;
                }
            }
        }

        var rest = devices.Where(d => !placed.ContainsKey(d.Id)).OrderBy(d => Rank(rolloutId, d.Id)).ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
        var percentWaves = Enumerable.Range(0, waves.Count).Where(w => waves[w].Percent is not null).ToList();
        var start = 0;
        foreach (var w in percentWaves)
        {
            var end = Math.Max(start, (int)Math.Ceiling(waves[w].Percent!.Value * rest.Count / 100.0));
            for (var i = start; i < end; i++)
            {
                placed[rest[i].Id] = w;
            }

            start = end;
        }

        return placed
            .Select(p => new RolloutDeviceRow
            {
                RolloutId = rolloutId,
                DeviceId = p.Key,
                Wave = p.Value,
                Rank = Rank(rolloutId, p.Key),
                State = RolloutDeviceStates.Pending,
                CountedState = RolloutDeviceStates.Pending,
                UpdatedAt = now,
            })
            .OrderBy(r => r.Wave)
            .ThenBy(r => r.Rank)
            .ToList();
    }
}
