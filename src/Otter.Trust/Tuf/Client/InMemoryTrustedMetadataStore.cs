using System.Collections.Concurrent;

namespace Otter.Trust.Tuf.Client;

/// <summary>
/// Keeps trusted metadata in memory (tests, simulators, short-lived tools). Bytes are copied
/// in and out, so callers cannot change what is stored behind its back.
/// </summary>
public sealed class InMemoryTrustedMetadataStore : ITrustedMetadataStore
{
    private readonly ConcurrentDictionary<string, byte[]> _roles = new(StringComparer.Ordinal);

    /// <summary>The roles currently stored, in ordinal order.</summary>
    public IReadOnlyList<string> Roles => [.. _roles.Keys.Order(StringComparer.Ordinal)];

    /// <summary>A copy of every stored role's bytes, by role.</summary>
    public IReadOnlyDictionary<string, byte[]> CopyContents() =>
        _roles.ToDictionary(p => p.Key, p => (byte[])p.Value.Clone(), StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadAsync(string role, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(role);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_roles.TryGetValue(role, out var bytes) ? (byte[]?)bytes.Clone() : null);
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(string role, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(role);
        cancellationToken.ThrowIfCancellationRequested();
        _roles[role] = bytes.ToArray();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string role, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(role);
        cancellationToken.ThrowIfCancellationRequested();
        _roles.TryRemove(role, out _);
        return ValueTask.CompletedTask;
    }
}
