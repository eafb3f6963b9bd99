using System.Security.Cryptography;
using Otter.Trust.Attestation;
using Otter.Agent.Platform;
using Otter.Trust.Bundles;

namespace Otter.Agent.Boot;

/// <summary>
/// The ROM and boot loaders: check the slot's boot manifest against the fused key hash, then
/// hash and check each stage in order before it "runs", extending every stage's hash into the
/// measurement register.
/// </summary>
public static class BootChainVerifier
{
    /// <summary>Verifies <paramref name="slot"/>; never throws for bad content, reports it.</summary>
    public static ChainResult Verify(IDevicePlatform platform, string slot, long deviceSecurityCounter)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var register = new MeasurementRegister();
        var document = platform.ReadManifest(slot);
        if (document is null)
        {
            return new ChainResult(false, null, register.ToString(), $"slot {slot} has no boot manifest");
        }

        SignedBootManifest manifest;
        try
        {
            manifest = SignedBootManifest.Parse(document);
            manifest.Verify(platform.FusedBootKeyHash);
        }
        catch (BundleException ex)
        {
            return new ChainResult(false, null, register.ToString(), $"ROM refused slot {slot}'s boot manifest: {ex.Message}");
        }

        register.Extend(SHA256.HashData(document));
        if (manifest.Manifest.SecurityCounter < deviceSecurityCounter)
        {
            return new ChainResult(false, manifest, register.ToString(), $"slot {slot} holds security counter {manifest.Manifest.SecurityCounter}, below the device's {deviceSecurityCounter} (rollback refused)");
        }

        if (manifest.Manifest.Hardware != platform.Identity.Hardware)
        {
            return new ChainResult(false, manifest, register.ToString(), $"slot {slot} is built for hardware {manifest.Manifest.Hardware}, not {platform.Identity.Hardware}");
        }

        var buffer = new byte[1 << 20];
        foreach (var stage in manifest.Manifest.Stages)
        {
            byte[] hash;
            long length = 0;
            try
            {
                using var stream = platform.OpenStage(slot, stage.Name);
                using var incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                int read;
                while ((read = stream.Read(buffer)) > 0)
                {
                    incremental.AppendData(buffer, 0, read);
                    length += read;
                }

                hash = incremental.GetHashAndReset();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return new ChainResult(false, manifest, register.ToString(), $"stage {stage.Name} of slot {slot} cannot be read ({ex.Message})");
            }

            if (length != stage.Length || !CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(stage.Sha256)))
            {
                return new ChainResult(false, manifest, register.ToString(), $"stage {stage.Name} of slot {slot} does not match its signed hash (modified after install, or corrupted)");
            }

            register.Extend(hash);
        }

        return new ChainResult(true, manifest, register.ToString(), null);
    }
}
