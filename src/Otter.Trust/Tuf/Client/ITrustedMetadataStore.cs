namespace Otter.Trust.Tuf.Client;

/// <summary>
/// Where a client keeps the metadata it trusts between runs (<c>root</c>, <c>timestamp</c>,
/// <c>snapshot</c>, <c>targets</c>, delegated roles). Writes must be atomic: after a crash the
/// store holds either the old or the new bytes of a role, never a mix.
/// </summary>
public interface ITrustedMetadataStore
{
    /// <summary>The stored bytes for <paramref name="role"/>, or null when none are stored.</summary>
    ValueTask<byte[]?> ReadAsync(string role, CancellationToken cancellationToken);

    /// <summary>Replaces the stored bytes for <paramref name="role"/> atomically.</summary>
    ValueTask WriteAsync(string role, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>Forgets <paramref name="role"/>; does nothing when it is not stored.</summary>
    ValueTask DeleteAsync(string role, CancellationToken cancellationToken);
}
