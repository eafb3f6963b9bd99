using System.Security.Cryptography;

namespace Otter.Testing;

/// <summary>A key pair generated inside a SoftHSM token (sensitive, never extractable).</summary>
public sealed record SoftHsmKey(string TokenLabel, string Label, string IdHex, SoftHsmKeyType Type)
{
    /// <summary>
    /// The public key as the token reports it (PEM SubjectPublicKeyInfo, LF line ends and a
    /// final newline), read with pkcs11-tool, independently of OpenSSL's engine; null for RSA.
    /// </summary>
    public string? PublicKeyPem { get; init; }

    /// <summary>
    /// <c>pkcs11:token=...;object=...;type=private</c>, with <c>?pin-value=</c> (percent-encoded)
    /// when <paramref name="pin"/> is given.
    /// </summary>
    public string Uri(string? pin = null) =>
        $"pkcs11:token={System.Uri.EscapeDataString(TokenLabel)};object={System.Uri.EscapeDataString(Label)};type=private"
        + (pin is null ? string.Empty : "?pin-value=" + System.Uri.EscapeDataString(pin));
}
