using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Trust.Keys;

namespace Otter.Server.Pki;

/// <summary>
/// Makes the fleet's certificates: the fleet CA, the server's TLS certificate and device
/// certificates. The CA key signs through <see cref="ISigner"/>, so it may live in a token.
/// </summary>
internal static class CertificateAuthority
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>A self-signed CA certificate for <paramref name="caKey"/>.</summary>
    public static X509Certificate2 CreateRoot(string commonName, ISigner caKey, DateTimeOffset now, int years)
    {
        var generator = new SignerSignatureGenerator(caKey);
        var subject = new X500DistinguishedName("CN=" + commonName);
        var request = new CertificateRequest(subject, generator.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        var ski = new X509SubjectKeyIdentifierExtension(generator.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
        return request.Create(subject, generator, now.AddMinutes(-5), now.AddYears(years), Serial());
    }

    /// <summary>The server's TLS certificate: the hostname, localhost and the loopback addresses.</summary>
    public static X509Certificate2 IssueServer(X509Certificate2 ca, ISigner caKey, ECDsa serverKey, string hostname, DateTimeOffset now)
    {
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + hostname), serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostname);
        if (!string.Equals(hostname, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            names.AddDnsName("localhost");
        }

        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], false));
        return Issue(request, ca, caKey, now, now.AddYears(2));
    }

    /// <summary>A device's fleet certificate for the key of a verified CSR: subject <c>CN=deviceId</c>, client authentication only.</summary>
    public static X509Certificate2 IssueDevice(X509Certificate2 ca, ISigner caKey, PublicKey devicePublicKey, string deviceId, DateTimeOffset now, int days)
    {
        var subject = new X500DistinguishedName("CN=" + deviceId);
        var request = new CertificateRequest(subject, devicePublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClientAuthOid)], false));
        return Issue(request, ca, caKey, now, now.AddDays(days));
    }

    /// <summary>Whether <paramref name="certificate"/> allows client authentication (or states no extended key usage).</summary>
    public static bool AllowsClientAuth(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usage)
            {
                return usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuthOid);
            }
        }

        return true;
    }

    private static X509Certificate2 Issue(CertificateRequest request, X509Certificate2 ca, ISigner caKey, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var end = notAfter > ca.NotAfter ? new DateTimeOffset(ca.NotAfter.ToUniversalTime()) : notAfter;
        return request.Create(ca.SubjectName, new SignerSignatureGenerator(caKey), notBefore.AddMinutes(-5), end, Serial());
    }

    private static byte[] Serial()
    {
        // 16 random bytes with the top bit clear: a positive serial, as RFC 5280 asks.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }
}
