using System.Security.Cryptography;

namespace Otter.Trust.Keys;

/// <summary>Helpers for the one key type Otter uses: ECDSA over NIST P-256 with SHA-256.</summary>
public static class EcdsaP256
{
    /// <summary>The OID of the NIST P-256 curve.</summary>
    public const string CurveOid = "1.2.840.10045.3.1.7";

    /// <summary>Creates a new P-256 key pair in software.</summary>
    public static ECDsa Generate() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Whether <paramref name="key"/> is on P-256.</summary>
    public static bool IsP256(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var curve = key.ExportParameters(false).Curve;
            return curve.IsNamed && (curve.Oid.Value == CurveOid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1");
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// The public key as TUF expects it: PEM SubjectPublicKeyInfo with 64-character lines and
    /// a final newline, the form the Python <c>cryptography</c> package writes.
    /// </summary>
    public static string ExportPublicPem(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ExportSubjectPublicKeyInfoPem().ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>The TUF key record for <paramref name="key"/>.</summary>
    public static TufKey ToTufKey(ECDsa key) => new()
    {
        KeyType = TufKey.EcdsaKeyType,
        Scheme = TufKey.EcdsaP256Scheme,
        KeyValue = new TufKeyValue { Public = ExportPublicPem(key) },
    };

    /// <summary>The TUF key record for a P-256 public key in PEM form, normalised to Otter's PEM layout.</summary>
    /// <exception cref="KeyException">The PEM is not a P-256 public key.</exception>
    public static TufKey ToTufKeyFromPem(string pem)
    {
        using var key = TryImportPublic(pem) ?? throw new KeyException("the public key is not an ECDSA P-256 key in PEM form.");
        return ToTufKey(key);
    }

    /// <summary>Imports the public half of a TUF ECDSA key, or returns null when it is not a valid P-256 key.</summary>
    public static ECDsa? TryImportPublic(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (IsP256(key))
            {
                return key;
            }
        }
        catch (ArgumentException)
        {
        }
        catch (CryptographicException)
        {
        }

        key.Dispose();
        return null;
    }
}
