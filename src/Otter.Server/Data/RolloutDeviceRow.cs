namespace Otter.Server.Data;

/// <summary>A device's place in a rollout: its wave, its deterministic rank, and its state.</summary>
internal sealed class RolloutDeviceRow
{
    public long RolloutId { get; set; }

    public required string DeviceId { get; set; }

    public int Wave { get; set; }

    /// <summary>From SHA-256(rollout id, device id): the order devices are started in, the same after any restart.</summary>
    public long Rank { get; set; }

    /// <summary>One of <see cref="Rollouts.RolloutDeviceStates"/>.</summary>
    public required string State { get; set; }

    /// <summary>The state the wave counters include; differs from <see cref="State"/> while <see cref="Dirty"/>.</summary>
    public required string CountedState { get; set; }

    /// <summary>Changed since the engine last folded it into the counters.</summary>
    public bool Dirty { get; set; }

    /// <summary>Not to be started before (outside its maintenance window, or busy with another rollout).</summary>
    public DateTimeOffset? NotBefore { get; set; }

    public DateTimeOffset? AssignedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The release the device ran before, for fleet-level rollback.</summary>
    public string? PreviousRelease { get; set; }

    public string? Detail { get; set; }
}
