using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Otter.Agent.Platform;
using Otter.Trust.Keys;

namespace Otter.Agent.Fleet;

/// <summary>
/// The crypto-erase a fleet orders with a wipe. On the simulated platform the device key is the
/// device's data key (its certificate, quotes and payload decryption all hang on it), so
/// destroying it makes everything bound to it unusable; the fleet credentials and both slots
/// are erased as well. The recovery image is the agent itself: it runs outside the slots (a
/// real board's recovery partition), so nothing in <c>slots/</c> is kept; it re-enrolls and
/// installs whatever the fleet assigns. Kept: <c>rom/</c>, <c>device.json</c>, the factory
/// identity (to enroll again), the fleet CA, the trusted TUF metadata and log checkpoint (public,
/// and dropping them would weaken anti-rollback) and the anti-rollback counter. A marker file makes
/// the wipe resumable: a wipe cut short is finished before anything else.
/// </summary>
internal static class DeviceWipe
{
    /// <summary>Erases the device; every step prints one line.</summary>
    /// <exception cref="AgentException">The device key lives outside the device folder (a secure element or a given file) and cannot be destroyed here.</exception>
    public static void Erase(IDevicePlatform platform, IDeviceStorage storage, IPassphraseSource passphrases, TimeProvider time, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(output);
        var now = time.GetUtcNow();
        storage.WriteFileAtomic(DevicePaths.WipePending, Encoding.ASCII.GetBytes(now.ToString("O", CultureInfo.InvariantCulture) + "\n"));
        output.WriteLine("wipe 1/5: started (fleet/wipe.pending marks it until it is finished)");

        foreach (var path in new[] { DevicePaths.FleetCertificate, DevicePaths.FleetTokenSecret, DevicePaths.FleetState })
        {
            Destroy(storage, path);
        }

        output.WriteLine("wipe 2/5: erased the fleet credentials: fleet certificate, token secret, check-in state and recent quotes");

        BootControl control;
        try
        {
            control = platform.ReadBootControl();
        }
        catch (AgentException)
        {
            control = new BootControl();
        }

        // Nothing marked bootable first, then the bytes: a power cut in between leaves empty slots, never a half-cleared "good" one.
        platform.WriteBootControl(new BootControl
        {
            SecurityCounter = control.SecurityCounter,
            LastResult = new AgentResult { Outcome = "wiped", Detail = "crypto-erased on the fleet's order; both slots cleared", At = now },
        });
        foreach (var slot in BootControl.SlotNames)
        {
            platform.ClearSlot(slot);
        }

        storage.Delete(DevicePaths.AgentLogPrevious);
        storage.Delete(DevicePaths.AgentLog);
        output.WriteLine($"wipe 3/5: cleared slots a and b and the old agent logs; security counter {control.SecurityCounter.ToString(CultureInfo.InvariantCulture)} kept (anti-rollback survives a wipe); the recovery image is the agent itself, outside the slots");

        var reference = platform.Identity.Key;
        if (KeyLoader.IsPkcs11Uri(reference) || Path.IsPathRooted(reference))
        {
            throw new AgentException($"the device key is {reference}, outside the device folder (a secure element or a key file given at provisioning): the agent cannot destroy it. Erase it with the key's own tools and provision the device again; the wipe stays pending until then.");
        }

        Destroy(storage, reference);
        output.WriteLine($"wipe 4/5: destroyed the device key ({reference}, overwritten and deleted): the old certificate, tokens, quotes and anything encrypted to the key are unusable for good");

        byte[] generated;
        using (var key = EcdsaP256.Generate())
        {
            generated = key.ExportSubjectPublicKeyInfo();
            storage.WriteSecretFileAtomic(reference, Encoding.ASCII.GetBytes(KeyFile.Export(key, passphrases.GetPassphrase(storage.FullPath(reference), confirm: true))));
        }

        // Fail closed: a platform that keeps its key elsewhere would enroll again with the old key.
        using (var current = platform.OpenDeviceEcdsa())
        {
            if (!current.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(generated))
            {
                throw new AgentException($"the platform still signs with another key than the new {reference}: it keeps its device key elsewhere and this agent cannot replace it. Replace the key with the platform's own tools; the wipe stays pending until then.");
            }
        }

        output.WriteLine($"wipe 5/5: generated a new device key ({reference}, public key SHA-256 {Convert.ToHexStringLower(SHA256.HashData(generated))[..16]}…); the device enrolls again with its factory identity as a new fleet identity");
        storage.Delete(DevicePaths.WipePending);
    }

    /// <summary>Overwrites a file of a device folder with random bytes and flushes it to disk, then deletes it (in any storage).</summary>
    private static void Destroy(IDeviceStorage storage, string path)
    {
        if (!storage.Exists(path))
        {
            return;
        }

        if (storage is DirectoryDeviceStorage)
        {
            Shred(storage.FullPath(path));
        }

        storage.Delete(path);
    }

    private static void Shred(string path)
    {
        // On flash and copy-on-write file systems an overwrite may land elsewhere; the key file is
        // also encrypted under the device passphrase, so this is defence in depth, not the guarantee.
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None))
        {
            var length = stream.Length;
            var noise = RandomNumberGenerator.GetBytes((int)Math.Min(length, 1 << 20));
            for (long written = 0; written < length; written += noise.Length)
            {
                stream.Write(noise, 0, (int)Math.Min(noise.Length, length - written));
            }

            stream.Flush(flushToDisk: true);
        }
    }
}
