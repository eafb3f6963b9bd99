using Microsoft.EntityFrameworkCore;
using Otter.Server.Data;

namespace Otter.Server.Rollouts;

/// <summary>
/// A device's report moves its row in the rollout it is updating for: one row written and marked
/// dirty; the engine counts it at its next tick.
/// </summary>
internal static class RolloutProgress
{
    public static async Task RecordAsync(OtterDbContext db, DeviceRow device, string state, string? detail, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (device.AssignedRollout is not { } id)
        {
            return;
        }

        var row = await db.RolloutDevices.FirstOrDefaultAsync(r => r.RolloutId == id && r.DeviceId == device.Id, cancellationToken);
        if (row is null || !RolloutDeviceStates.InFlight.Contains(row.State))
        {
            return;
        }

        row.State = state;
        row.Dirty = true;
        row.UpdatedAt = now;
        row.Detail = detail;
        if (state is RolloutDeviceStates.Committed or RolloutDeviceStates.Failed or RolloutDeviceStates.RolledBack)
        {
            // Finished with this rollout: the device is free for the next.
            device.AssignedRollout = null;
        }
    }

    /// <summary>A manual assignment takes the device out of its rollout.</summary>
    public static async Task ReleaseAsync(OtterDbContext db, DeviceRow device, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (device.AssignedRollout is not { } id)
        {
            return;
        }

        var row = await db.RolloutDevices.FirstOrDefaultAsync(r => r.RolloutId == id && r.DeviceId == device.Id, cancellationToken);
        if (row is not null && RolloutDeviceStates.InFlight.Contains(row.State))
        {
            row.State = RolloutDeviceStates.Skipped;
            row.Dirty = true;
            row.UpdatedAt = now;
            row.Detail = reason;
        }

        device.AssignedRollout = null;
    }
}
