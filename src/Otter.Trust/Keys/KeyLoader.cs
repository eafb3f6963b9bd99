using System.Security.Cryptography;

namespace Otter.Trust.Keys;

/// <summary>
/// Opens a key argument: either a key file path or a PKCS#11 URI (RFC 7512) beginning with
/// <c>pkcs11:</c>. Everywhere Otter takes a key, it takes it through this class.
/// </summary>
public sealed class KeyLoader(IPassphraseSource passphrases)
{
    /// <summary>Whether <paramref name="reference"/> names a key in a PKCS#11 token.</summary>
    public static bool IsPkcs11Uri(string reference) =>
        reference.StartsWith("pkcs11:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens the key named by <paramref name="reference"/>.</summary>
    /// <exception cref="KeyException">The key cannot be found, read or used; the message says why.</exception>
    public KeyHandle Open(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (IsPkcs11Uri(reference))
        {
            var signer = Pkcs11Keys.OpenSigner(reference);
            return new KeyHandle(signer, isHardware: true);
        }

        var path = Path.GetFullPath(reference);
        var text = KeyFile.ReadText(path);
        var publicKey = KeyFile.ReadPublic(reference, text);
        if (publicKey is null)
        {
            // Only an encrypted private key: the public half needs the passphrase.
            var signer = new EcdsaSigner(KeyFile.ReadPrivate(reference, text, passphrases), reference);
            return new KeyHandle(signer, isHardware: false);
        }

        using (publicKey)
        {
            Func<ISigner>? open = KeyFile.HasPrivate(text)
                ? () => new EcdsaSigner(KeyFile.ReadPrivate(reference, text, passphrases), reference)
                : null;
            return new KeyHandle(reference, publicKey, isHardware: false, open);
        }
    }

    /// <summary>Opens the key and returns its signer at once.</summary>
    public ISigner OpenSigner(string reference)
    {
        var handle = Open(reference);
        return handle.GetSigner();
    }

    /// <summary>
    /// Opens the private key as an <see cref="ECDsa"/>, for X.509 work (certificate requests, TLS
    /// client certificates). A pkcs11: key stays in its token: the object signs there and exports
    /// only its public half. The caller owns and disposes it.
    /// </summary>
    /// <exception cref="KeyException">The key cannot be found, read or used, or the file holds only a public key.</exception>
    public ECDsa OpenEcdsa(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (IsPkcs11Uri(reference))
        {
            return Pkcs11Keys.OpenKey(Pkcs11Uri.Parse(reference));
        }

        var text = KeyFile.ReadText(Path.GetFullPath(reference));
        return KeyFile.ReadPrivate(reference, text, passphrases);
    }

    internal static ECDsa GenerateSoftwareKey() => EcdsaP256.Generate();
}
