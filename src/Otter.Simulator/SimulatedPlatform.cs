using System.Security.Cryptography;
using Otter.Agent.Health;
using Otter.Agent.Platform;
using Otter.Trust.Keys;
using Otter.Trust.Tuf.Client;

namespace Otter.Simulator;

/// <summary>
/// The shipped <see cref="SimulatedDevicePlatform"/> over in-memory flash, with the device key
/// held in memory (a secure element's stand-in) instead of an encrypted key file: slots, boot
/// control, trusted metadata and checkpoints go through the same code as on a device folder.
/// </summary>
internal sealed class SimulatedPlatform(SimulatedDevicePlatform inner, ECParameters deviceKey) : IDevicePlatform
{
    public DeviceIdentity Identity => inner.Identity;

    public byte[] FusedBootKeyHash => inner.FusedBootKeyHash;

    public HealthConfig Health => inner.Health;

    public ITrustedMetadataStore TrustedMetadata => inner.TrustedMetadata;

    public BootControl ReadBootControl() => inner.ReadBootControl();

    public void WriteBootControl(BootControl control) => inner.WriteBootControl(control);

    public void ClearSlot(string slot) => inner.ClearSlot(slot);

    public Stream CreateStage(string slot, string stage) => inner.CreateStage(slot, stage);

    public Stream OpenStage(string slot, string stage) => inner.OpenStage(slot, stage);

    public void WriteManifest(string slot, ReadOnlySpan<byte> document) => inner.WriteManifest(slot, document);

    public byte[]? ReadManifest(string slot) => inner.ReadManifest(slot);

    public string SlotPath(string slot) => inner.SlotPath(slot);

    public byte[]? ReadLogCheckpoint() => inner.ReadLogCheckpoint();

    public void WriteLogCheckpoint(ReadOnlySpan<byte> note) => inner.WriteLogCheckpoint(note);

    public ISigner OpenDeviceKey() => new EcdsaSigner(OpenDeviceEcdsa(), "simulated secure element");

    public ECDsa OpenDeviceEcdsa() => ECDsa.Create(deviceKey);
}
