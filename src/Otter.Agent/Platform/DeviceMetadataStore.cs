using Otter.Trust.Tuf.Client;

namespace Otter.Agent.Platform;

/// <summary>Trusted TUF metadata kept in device storage (so power cuts reach it too).</summary>
internal sealed class DeviceMetadataStore(IDeviceStorage storage) : ITrustedMetadataStore
{
    public ValueTask<byte[]?> ReadAsync(string role, CancellationToken cancellationToken) =>
        ValueTask.FromResult(storage.ReadFile(PathOf(role)));

    public ValueTask WriteAsync(string role, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        storage.WriteFileAtomic(PathOf(role), bytes.Span);
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteAsync(string role, CancellationToken cancellationToken)
    {
        storage.Delete(PathOf(role));

        return ValueTask.CompletedTask;
    }

    private static string PathOf(string role)
    {
        // Delegated role names are percent-encoded by the client; refuse anything path-like anyway.
        if (role.Length == 0 || role.Contains('/', StringComparison.Ordinal) || role.Contains('\\', StringComparison.Ordinal) || role is "." or "..")
        {
            throw new ArgumentException($"\"{role}\" is not a role name the device can store.", nameof(role));
        }

        return $"{DevicePaths.TufDirectory}/{role}.json";
    }
}
