using System.Security.Cryptography;

namespace Otter.Trust.Keys;

/// <summary>
/// A key named on a command line: its public half at once, its private half (a signer) only
/// when asked for, so that passphrases are asked only for keys that actually sign.
/// </summary>
public sealed class KeyHandle : IDisposable
{
    private readonly Func<ISigner>? _openSigner;
    private ISigner? _signer;

    internal KeyHandle(string source, ECDsa publicKey, bool isHardware, Func<ISigner>? openSigner)
    {
        Source = source;
        PublicKey = EcdsaP256.ToTufKey(publicKey);
        KeyId = KeyIds.Compute(PublicKey);
        IsHardware = isHardware;
        _openSigner = openSigner;
    }

    internal KeyHandle(ISigner signer, bool isHardware)
    {
        Source = signer.Source;
        PublicKey = signer.PublicKey;
        KeyId = signer.KeyId;
        IsHardware = isHardware;
        _signer = signer;
    }

    /// <summary>The file path or PKCS#11 URI (PIN removed) the key came from.</summary>
    public string Source { get; }

    /// <summary>The public key as TUF lists it.</summary>
    public TufKey PublicKey { get; }

    /// <summary>The TUF key id.</summary>
    public string KeyId { get; }

    /// <summary>Whether the private key lives in a hardware token (PKCS#11).</summary>
    public bool IsHardware { get; }

    /// <summary>Whether this reference can sign (false for a public-key-only file).</summary>
    public bool CanSign => _signer is not null || _openSigner is not null;

    /// <summary>The signer, opening the private key (and asking for its passphrase) on first use.</summary>
    /// <exception cref="KeyException">The private key is not available or cannot be opened.</exception>
    public ISigner GetSigner()
    {
        if (_signer is not null)
        {
            return _signer;
        }

        if (_openSigner is null)
        {
            throw new KeyException($"{Source} holds only a public key; this step needs the private key (a key file from `otter keys generate` or a pkcs11: URI).");
        }

        var signer = _openSigner();
        if (signer.KeyId != KeyId)
        {
            signer.Dispose();
            throw new KeyException($"the private key in {Source} does not match its public key; the file was altered.");
        }

        _signer = signer;
        return signer;
    }

    /// <inheritdoc />
    public void Dispose() => _signer?.Dispose();
}
