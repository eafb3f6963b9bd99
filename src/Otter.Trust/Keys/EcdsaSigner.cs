using System.Security.Cryptography;

namespace Otter.Trust.Keys;

/// <summary>Signs with an <see cref="ECDsa"/> key, whether in software or behind an OpenSSL engine.</summary>
public sealed class EcdsaSigner : ISigner
{
    private readonly ECDsa _key;

    /// <summary>Wraps <paramref name="key"/>; the signer owns it and disposes it.</summary>
    /// <exception cref="KeyException">The key is not on P-256.</exception>
    public EcdsaSigner(ECDsa key, string source)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(source);
        if (!EcdsaP256.IsP256(key))
        {
            throw new KeyException($"{source} is not an ECDSA P-256 key; Otter keys are P-256 (create one with `otter keys generate`).");
        }

        _key = key;
        Source = source;
        PublicKey = EcdsaP256.ToTufKey(key);
        KeyId = KeyIds.Compute(PublicKey);
    }

    /// <inheritdoc />
    public TufKey PublicKey { get; }

    /// <inheritdoc />
    public string KeyId { get; }

    /// <inheritdoc />
    public string Source { get; }

    /// <inheritdoc />
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        try
        {
            return _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException ex)
        {
            throw new KeyException($"signing with {Source} failed: {ex.Message}. Check that the key (or its token) is available.", ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
