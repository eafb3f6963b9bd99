using System.Security.Cryptography;

namespace Otter.Testing;

/// <summary>The kind of key pair the fixture generates inside a token.</summary>
public enum SoftHsmKeyType
{
    /// <summary>ECDSA on NIST P-256, the only kind Otter signs with.</summary>
    EcP256,

    /// <summary>ECDSA on NIST P-384, which Otter must refuse.</summary>
    EcP384,

    /// <summary>RSA 2048, which Otter must refuse.</summary>
    Rsa2048,
}
