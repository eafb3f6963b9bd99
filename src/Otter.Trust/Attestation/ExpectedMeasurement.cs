using System.Security.Cryptography;
using Otter.Trust.Bundles;

namespace Otter.Trust.Attestation;

/// <summary>
/// The measurement a device reports after booting a release: the register extended with the
/// SHA-256 of the signed boot manifest, then with each stage's hash in boot order, exactly as
/// the device's boot chain extends it. A verifier computes it from the manifest alone.
/// </summary>
public static class ExpectedMeasurement
{
    /// <summary>The expected register value (lower-case hex) for a signed boot manifest document.</summary>
    /// <exception cref="BundleException">The document is not a boot manifest.</exception>
    public static string Of(ReadOnlySpan<byte> manifestDocument)
    {
        var manifest = SignedBootManifest.Parse(manifestDocument);
        var register = new MeasurementRegister();
        register.Extend(SHA256.HashData(manifestDocument));
        foreach (var stage in manifest.Manifest.Stages)
        {
            register.Extend(Convert.FromHexString(stage.Sha256));
        }

        return register.ToString();
    }
}
