using System.Security.Cryptography;
using Otter.Agent.Health;
using Otter.Trust.Keys;
using Otter.Trust.Tuf.Client;

namespace Otter.Agent.Platform;

/// <summary>
/// What the agent needs from a device: its identity and ROM fuse, its two slots, its boot
/// control block, a place for trusted metadata, and its key. The simulated platform keeps a
/// device as a folder; a real board implements the same on partitions, a boot loader
/// environment (U-Boot, GRUB, RAUC) and a secure element.
/// </summary>
public interface IDevicePlatform
{
    /// <summary>Serial, hardware id, trusted log.</summary>
    DeviceIdentity Identity { get; }

    /// <summary>SHA-256 of the boot key's DER SubjectPublicKeyInfo, fused at manufacture.</summary>
    byte[] FusedBootKeyHash { get; }

    /// <summary>The probes a trial boot must pass.</summary>
    HealthConfig Health { get; }

    /// <summary>Where the agent keeps TUF metadata it trusts.</summary>
    ITrustedMetadataStore TrustedMetadata { get; }

    /// <summary>Reads the boot control block.</summary>
    BootControl ReadBootControl();

    /// <summary>Replaces the boot control block atomically and durably.</summary>
    void WriteBootControl(BootControl control);

    /// <summary>Empties <paramref name="slot"/> before an install writes into it.</summary>
    void ClearSlot(string slot);

    /// <summary>Opens a stage file of <paramref name="slot"/> for writing.</summary>
    Stream CreateStage(string slot, string stage);

    /// <summary>Opens a stage file of <paramref name="slot"/> for reading.</summary>
    Stream OpenStage(string slot, string stage);

    /// <summary>Writes the slot's boot manifest document (the last step of an install).</summary>
    void WriteManifest(string slot, ReadOnlySpan<byte> document);

    /// <summary>The slot's boot manifest document, or null when it has none.</summary>
    byte[]? ReadManifest(string slot);

    /// <summary>The slot's directory, for health probes that run what it holds.</summary>
    string SlotPath(string slot);

    /// <summary>The last log checkpoint this device accepted (a signed note), or null.</summary>
    byte[]? ReadLogCheckpoint();

    /// <summary>Records the log checkpoint this device accepted, atomically.</summary>
    void WriteLogCheckpoint(ReadOnlySpan<byte> note);

    /// <summary>Opens the device key (its secure element, or a key file).</summary>
    ISigner OpenDeviceKey();

    /// <summary>
    /// Opens the device key as an <see cref="ECDsa"/> for X.509 work (the enrollment CSR, the TLS
    /// client certificate); a key in a secure element signs there. The caller disposes it.
    /// </summary>
    ECDsa OpenDeviceEcdsa();
}
