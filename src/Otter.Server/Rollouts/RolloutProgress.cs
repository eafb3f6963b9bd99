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
        MarkDirty(db, row);
        row.UpdatedAt = now;
        row.Detail = detail;
        if (state is RolloutDeviceStates.Committed or RolloutDeviceStates.Failed or RolloutDeviceStates.RolledBack
            || (state == RolloutDeviceStates.Installed && device.AssignmentStageOnly))
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
            MarkDirty(db, row);
            row.UpdatedAt = now;
            row.Detail = reason;
        }

        device.AssignedRollout = null;
    }

    /// <summary>
    /// Dirty is written with every change, even when the row was read dirty: an engine tick may
    /// have folded and cleared it since, and a change saved without the flag is never counted (the
    /// wave then waits forever for a device that has finished).
    /// </summary>
    private static void MarkDirty(OtterDbContext db, RolloutDeviceRow row)
    {
        row.Dirty = true;
        db.Entry(row).Property(r => r.Dirty).IsModified = true;
    }
}
