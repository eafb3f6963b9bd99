namespace Otter.Trust.Tuf.Client;

/// <summary>Limits the client enforces; the defaults follow python-tuf's.</summary>
public sealed record TufClientOptions
{
    /// <summary>Largest root metadata file accepted, in bytes.</summary>
    public long MaxRootLength { get; init; } = 512 * 1024;

    /// <summary>Largest timestamp metadata file accepted, in bytes.</summary>
    public long MaxTimestampLength { get; init; } = 16 * 1024;

    /// <summary>Largest snapshot metadata accepted when timestamp gives no length, in bytes.</summary>
    public long MaxSnapshotLength { get; init; } = 2 * 1024 * 1024;

    /// <summary>Largest targets metadata accepted when snapshot gives no length, in bytes.</summary>
    public long MaxTargetsLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most root versions followed in one refresh.</summary>
    public int MaxRootRotations { get; init; } = 32;

    /// <summary>Most delegated roles visited in one target search.</summary>
    public int MaxDelegations { get; init; } = 32;
}
