using System.Security.Cryptography;
using System.Text.Json;
using Otter.Agent.Health;
using Otter.Trust.Keys;
using Otter.Trust.Tuf.Client;

namespace Otter.Agent.Platform;

/// <summary>
/// The shipped simulated platform: a device is a folder (<c>rom/</c>, <c>slots/a|b/</c>,
/// <c>bootctl.json</c>, <c>keys/</c>, <c>state/</c>). The code that verifies is the same as on
/// a real board; only where bytes live differs.
/// </summary>
public sealed class SimulatedDevicePlatform : IDevicePlatform
{
    private readonly IDeviceStorage _storage;
    private readonly IPassphraseSource _passphrases;

    /// <summary>Opens the device stored in <paramref name="storage"/>.</summary>
    /// <exception cref="AgentException">The folder is not a provisioned device.</exception>
    public SimulatedDevicePlatform(IDeviceStorage storage, IPassphraseSource passphrases)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
        _passphrases = passphrases;
        var identity = storage.ReadFile(DevicePaths.Identity)
            ?? throw new AgentException($"{storage.FullPath(DevicePaths.Identity)} is missing: this is not a provisioned device (run `otter-agent provision`).");
        var fuse = storage.ReadFile(DevicePaths.FusedBootKey)
            ?? throw new AgentException("the device has no fused boot key (rom/boot-key.sha256); it cannot boot anything. Provision it again.");
        try
        {
            Identity = JsonSerializer.Deserialize(identity, AgentJsonContext.Default.DeviceIdentity)
                ?? throw new AgentException("device.json is empty.");
            FusedBootKeyHash = Convert.FromHexString(System.Text.Encoding.ASCII.GetString(fuse).Trim());
            var health = storage.ReadFile(DevicePaths.Health);
            Health = health is null ? new HealthConfig() : JsonSerializer.Deserialize(health, AgentJsonContext.Default.HealthConfig) ?? new HealthConfig();
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new AgentException($"the device's configuration is damaged ({ex.Message}); provision it again.", ex);
        }

        TrustedMetadata = new DeviceMetadataStore(storage);
    }

    /// <summary>Opens the device in folder <paramref name="directory"/>.</summary>
    public static SimulatedDevicePlatform Open(string directory, IPassphraseSource passphrases) =>
        new(new DirectoryDeviceStorage(directory), passphrases);

    /// <inheritdoc />
    public DeviceIdentity Identity { get; }

    /// <inheritdoc />
    public byte[] FusedBootKeyHash { get; }

    /// <inheritdoc />
    public HealthConfig Health { get; }

    /// <inheritdoc />
    public ITrustedMetadataStore TrustedMetadata { get; }

    /// <inheritdoc />
    public BootControl ReadBootControl()
    {
        var bytes = _storage.ReadFile(DevicePaths.BootControl);
        if (bytes is null)
        {
            return new BootControl();
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, AgentJsonContext.Default.BootControl) ?? new BootControl();
        }
        catch (JsonException ex)
        {
            throw new AgentException($"bootctl.json is damaged ({ex.Message}); the device needs re-imaging.", ex);
        }
    }

    /// <inheritdoc />
    public void WriteBootControl(BootControl control) =>
        _storage.WriteFileAtomic(DevicePaths.BootControl, JsonSerializer.SerializeToUtf8Bytes(control, AgentJsonContext.Default.BootControl));

    /// <inheritdoc />
    public void ClearSlot(string slot) => _storage.ClearDirectory(DevicePaths.Slot(CheckSlot(slot)));

    /// <inheritdoc />
    public Stream CreateStage(string slot, string stage) => _storage.CreateFile(DevicePaths.Stage(CheckSlot(slot), stage));

    /// <inheritdoc />
    public Stream OpenStage(string slot, string stage) => _storage.OpenRead(DevicePaths.Stage(CheckSlot(slot), stage));

    /// <inheritdoc />
    public void WriteManifest(string slot, ReadOnlySpan<byte> document) => _storage.WriteFileAtomic(DevicePaths.Manifest(CheckSlot(slot)), document);

    /// <inheritdoc />
    public byte[]? ReadManifest(string slot) => _storage.ReadFile(DevicePaths.Manifest(CheckSlot(slot)));

    /// <inheritdoc />
    public string SlotPath(string slot) => _storage.FullPath(DevicePaths.Slot(CheckSlot(slot)));

    /// <inheritdoc />
    public byte[]? ReadLogCheckpoint() => _storage.ReadFile(DevicePaths.LogCheckpoint);

    /// <inheritdoc />
    public void WriteLogCheckpoint(ReadOnlySpan<byte> note) => _storage.WriteFileAtomic(DevicePaths.LogCheckpoint, note);

    /// <inheritdoc />
    public ISigner OpenDeviceKey() => new KeyLoader(_passphrases).OpenSigner(DeviceKeyReference.Resolve(_storage, Identity.Key));

    /// <inheritdoc />
    public ECDsa OpenDeviceEcdsa() => new KeyLoader(_passphrases).OpenEcdsa(DeviceKeyReference.Resolve(_storage, Identity.Key));

    private static string CheckSlot(string slot) =>
        BootControl.SlotNames.Contains(slot) ? slot : throw new ArgumentException($"\"{slot}\" is not a slot (a or b).", nameof(slot));
}
