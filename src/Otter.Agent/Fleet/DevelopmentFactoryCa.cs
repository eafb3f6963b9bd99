using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Trust.Keys;

namespace Otter.Agent.Fleet;

/// <summary>
/// A development manufacturer CA (the server's <c>dev-factory/</c>: <c>ca.pem</c> and an
/// unencrypted <c>ca.key</c>) that issues a device its factory identity certificate at
/// provisioning, as a real factory line would.
/// </summary>
internal sealed class DevelopmentFactoryCa : IDisposable
{
    /// <summary>The EKU a factory identity carries: TLS client authentication.</summary>
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>How long a factory identity is valid: the life of the device.</summary>
    public const int ValidityYears = 20;

    /// <summary>How far back a new certificate's validity starts, for device clocks slightly behind.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private readonly X509Certificate2 _certificate;
    private readonly ECDsa _key;

    private DevelopmentFactoryCa(X509Certificate2 certificate, ECDsa key)
    {
        _certificate = certificate;
        _key = key;
    }

    /// <summary>Loads and checks the CA: a P-256 CA certificate, valid now, whose key is <paramref name="keyPem"/>.</summary>
    /// <exception cref="AgentException">Either file is not what a development factory CA holds; the message says which and why.</exception>
    public static DevelopmentFactoryCa Load(string certificatePem, string keyPem, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(certificatePem);
        ArgumentNullException.ThrowIfNull(keyPem);
        ArgumentNullException.ThrowIfNull(time);
        var key = ReadKey(keyPem);
        X509Certificate2? certificate = null;
        try
        {
            certificate = FleetCertificates.ParseLeaf(certificatePem, "--factory-ca ca.pem");

            if (!FleetCertificates.HasPublicKey(certificate, key.ExportSubjectPublicKeyInfo()))
            {
                throw new AgentException("--factory-ca: ca.key is not the key of ca.pem; give the dev-factory folder the server wrote, unchanged.");
            }

            if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            {
                throw new AgentException("--factory-ca: ca.pem is not a CA certificate (no basic constraints CA:true); it cannot issue factory identities.");
            }

            var now = time.GetUtcNow();
            if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
            {
                throw new AgentException($"--factory-ca: ca.pem is valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}, not now ({now.UtcDateTime:u}); check the clock or make a new development CA.");
            }

            return new DevelopmentFactoryCa(certificate, key);
        }
        catch
        {
            certificate?.Dispose();
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Issues the factory identity of <paramref name="deviceId"/> for <paramref name="deviceKey"/>:
    /// <c>CN=id</c>, ECDSA P-256 SHA-256, valid from 5 minutes ago for 20 years, not a CA,
    /// digitalSignature, clientAuth, a random positive 16-byte serial, and the CA's key identifier.
    /// </summary>
    /// <returns>The certificate as PEM.</returns>
    public string Issue(string deviceId, ECDsa deviceKey, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(deviceKey);
        ArgumentNullException.ThrowIfNull(time);
        var request = new CertificateRequest(FleetCertificates.Subject(deviceId), deviceKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClientAuthOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(AuthorityKeyIdentifier());

        // Positive and of full length: the top bit clear (DER integers are signed), the next set.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        var now = time.GetUtcNow();
        using var certificate = request.Create(_certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now - Backdate, now.AddYears(ValidityYears), serial);
        return certificate.ExportCertificatePem().ReplaceLineEndings("\n") + "\n";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _certificate.Dispose();
        _key.Dispose();
    }

    private X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier()
    {
        // The CA's own subject key identifier when it states one, else the usual SHA-1 of its key.
        var subjectKeyId = _certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()
            ?? new X509SubjectKeyIdentifierExtension(_certificate.PublicKey, critical: false);
        return X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKeyId);
    }

    private static ECDsa ReadKey(string pem)
    {
        if (pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new AgentException("--factory-ca: ca.key is encrypted; a development factory CA key is an unencrypted PKCS#8 PEM (-----BEGIN PRIVATE KEY-----) as the server writes it.");
        }

        var start = pem.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal);
        if (start < 0 || !PemEncoding.TryFind(pem.AsSpan(start), out var fields))
        {
            throw new AgentException("--factory-ca: ca.key holds no PKCS#8 private key (-----BEGIN PRIVATE KEY-----).");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(Convert.FromBase64String(pem.AsSpan(start)[fields.Base64Data].ToString()), out _);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            key.Dispose();
            throw new AgentException($"--factory-ca: ca.key is not an EC private key ({ex.Message}); the development factory CA key is ECDSA P-256.", ex);
        }

        if (!EcdsaP256.IsP256(key))
        {
            key.Dispose();
            throw new AgentException("--factory-ca: ca.key is not on P-256; the development factory CA key is ECDSA P-256.");
        }

        return key;
    }
}
