using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>A certificate authority made in the test with <see cref="CertificateRequest"/>: a fleet CA, a manufacturer CA, or a stranger's.</summary>
internal sealed class TestCa : IDisposable
{
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private TestCa(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        Key = key;
    }

    /// <summary>The CA certificate (public only).</summary>
    public X509Certificate2 Certificate { get; }

    public ECDsa Key { get; }

    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    public static TestCa Create(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var selfSigned = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(30));
        return new TestCa(X509CertificateLoader.LoadCertificate(selfSigned.RawData), key);
    }

    /// <summary>A TLS server certificate for <paramref name="hosts"/> (IP addresses or DNS names), with its private key.</summary>
    public X509Certificate2 IssueServer(params string[] hosts)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hosts[0]}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                names.AddIpAddress(ip);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], false));
        using var certificate = Issue(request);
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>Signs <paramref name="request"/> (not a CA) for a year.</summary>
    public X509Certificate2 Issue(CertificateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        return request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(Key), now.AddMinutes(-5), now.AddYears(1), serial);
    }

    /// <summary>Writes the folder a fleet server makes for development devices: <c>ca.pem</c> and an unencrypted PKCS#8 <c>ca.key</c>.</summary>
    public string WriteDevFactory(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "ca.pem"), CertificatePem);
        File.WriteAllText(Path.Combine(directory, "ca.key"), Key.ExportPkcs8PrivateKeyPem() + "\n");
        return directory;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}
