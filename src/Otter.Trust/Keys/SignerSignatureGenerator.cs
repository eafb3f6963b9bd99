using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Otter.Trust.Keys;

/// <summary>
/// Lets <see cref="CertificateRequest"/> sign certificates and CSRs with any Otter signer
/// (a key file or a pkcs11: key), as ecdsa-with-SHA256.
/// </summary>
public sealed class SignerSignatureGenerator(ISigner signer) : X509SignatureGenerator
{
    // ecdsa-with-SHA256 (RFC 5758 §3.2): the parameters are absent.
    private static readonly byte[] AlgorithmIdentifier = EncodeAlgorithmIdentifier();

    /// <inheritdoc />
    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) =>
        hashAlgorithm == HashAlgorithmName.SHA256
            ? (byte[])AlgorithmIdentifier.Clone()
            : throw new ArgumentOutOfRangeException(nameof(hashAlgorithm), hashAlgorithm, "Otter signs certificates with SHA-256 only.");

    /// <inheritdoc />
    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return hashAlgorithm == HashAlgorithmName.SHA256
            ? signer.Sign(data)
            : throw new ArgumentOutOfRangeException(nameof(hashAlgorithm), hashAlgorithm, "Otter signs certificates with SHA-256 only.");
    }

    /// <inheritdoc />
    protected override PublicKey BuildPublicKey()
    {
        using var key = EcdsaP256.TryImportPublic(signer.PublicKey.KeyValue.Public)
            ?? throw new KeyException("the signer's public key is not ECDSA P-256.");
        return PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
    }

    private static byte[] EncodeAlgorithmIdentifier()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
        }

        return writer.Encode();
    }
}
