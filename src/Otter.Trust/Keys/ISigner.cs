namespace Otter.Trust.Keys;

/// <summary>
/// Something that signs with a private key Otter may never see: a decrypted key file in
/// memory or a key inside a hardware token.
/// </summary>
public interface ISigner : IDisposable
{
    /// <summary>The public key, as TUF lists it.</summary>
    TufKey PublicKey { get; }

    /// <summary>The TUF key id of <see cref="PublicKey"/>.</summary>
    string KeyId { get; }

    /// <summary>Where the key lives (a file path or a PKCS#11 URI without its PIN), for messages.</summary>
    string Source { get; }

    /// <summary>Signs SHA-256 of <paramref name="data"/> and returns a DER-encoded ECDSA signature.</summary>
    byte[] Sign(ReadOnlySpan<byte> data);
}
