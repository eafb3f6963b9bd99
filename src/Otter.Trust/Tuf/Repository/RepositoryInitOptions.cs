using Otter.Trust.Keys;

namespace Otter.Trust.Tuf.Repository;

/// <summary>The keys and settings of a new repository.</summary>
public sealed record RepositoryInitOptions
{
    /// <summary>The offline root keys (public-only files are fine as long as a threshold can sign).</summary>
    public required IReadOnlyList<KeyHandle> RootKeys { get; init; }

    /// <summary>How many root keys must sign root metadata; default 1.</summary>
    public int RootThreshold { get; init; } = 1;

    /// <summary>The online targets key.</summary>
    public required KeyHandle TargetsKey { get; init; }

    /// <summary>The online snapshot key.</summary>
    public required KeyHandle SnapshotKey { get; init; }

    /// <summary>The online timestamp key.</summary>
    public required KeyHandle TimestampKey { get; init; }

    /// <summary>Days an online key may sign after its first use.</summary>
    public int OnlineKeyLifetimeDays { get; init; } = 90;
}
