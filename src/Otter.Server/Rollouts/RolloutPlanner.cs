using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Otter.Server.Data;

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
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{rolloutId}:{deviceId}"), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash) & long.MaxValue;
    }

    /// <summary>The rows of the rollout, ordered by wave then rank (the engine's start order).</summary>
    public static List<RolloutDeviceRow> Plan(long rolloutId, IReadOnlyList<WaveSpec> waves, IReadOnlyList<PlanCandidate> devices, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(waves);
        ArgumentNullException.ThrowIfNull(devices);

        // Wave per device (-1: not placed yet) and its rank, each computed once: at a million
        // devices the hashing and sorting are most of the work.
        var wave = new int[devices.Count];
        Array.Fill(wave, -1);
        var ranks = new long[devices.Count];
        for (var i = 0; i < devices.Count; i++)
        {
            ranks[i] = Rank(rolloutId, devices[i].Id);
        }

        for (var w = 0; w < waves.Count; w++)
        {
            if (waves[w].Tag is { } tag)
            {
                for (var i = 0; i < devices.Count; i++)
                {
                    if (wave[i] < 0 && devices[i].Tags.Contains(tag))
                    {
                        wave[i] = w;
                    }
                }
            }
        }

        var rest = Enumerable.Range(0, devices.Count).Where(i => wave[i] < 0).ToArray();
        Array.Sort(rest, (x, y) => ranks[x] != ranks[y] ? ranks[x].CompareTo(ranks[y]) : string.CompareOrdinal(devices[x].Id, devices[y].Id));
        var start = 0;
        for (var w = 0; w < waves.Count; w++)
        {
            if (waves[w].Percent is not { } percent)
            {
                continue;
            }

            var end = Math.Max(start, (int)Math.Ceiling(percent * rest.Length / 100.0));
            for (var i = start; i < end; i++)
            {
                wave[rest[i]] = w;
            }

            start = end;
        }

        var placed = Enumerable.Range(0, devices.Count).Where(i => wave[i] >= 0).ToArray();
        Array.Sort(placed, (x, y) => wave[x] != wave[y] ? wave[x].CompareTo(wave[y]) : ranks[x] != ranks[y] ? ranks[x].CompareTo(ranks[y]) : string.CompareOrdinal(devices[x].Id, devices[y].Id));
        var rows = new List<RolloutDeviceRow>(placed.Length);
        foreach (var i in placed)
        {
            rows.Add(new RolloutDeviceRow
            {
                RolloutId = rolloutId,
                DeviceId = devices[i].Id,
                Wave = wave[i],
                Rank = ranks[i],
                State = RolloutDeviceStates.Pending,
                CountedState = RolloutDeviceStates.Pending,
                UpdatedAt = now,
            });
        }

        return rows;
    }
}
