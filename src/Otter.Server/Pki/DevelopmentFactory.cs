using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Otter.Server.Setup;
using Otter.Trust.IO;

namespace Otter.Server.Pki;

/// <summary>
/// A development manufacturer CA in <c>dev-factory/</c>, trusted by this server, so simulators and
/// tests can give devices factory identities. Its key is stored unencrypted on purpose and the
/// CA's name says it is not for production.
/// </summary>
internal static class DevelopmentFactory
{
    public const string CommonName = "Otter DEVELOPMENT manufacturer CA - NOT FOR PRODUCTION";

    public static void Create(ServerPaths paths, DateTimeOffset now)
    {
        Directory.CreateDirectory(paths.DevFactory);
        Directory.CreateDirectory(paths.Manufacturers);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedName("CN=" + CommonName + ", O=Otter development");
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(20));
        var pem = Encoding.ASCII.GetBytes(ca.ExportCertificatePem() + "\n");
        DurableFiles.WriteAtomic(Path.Combine(paths.DevFactory, "ca.pem"), pem);
        var keyPath = Path.Combine(paths.DevFactory, "ca.key");
        DurableFiles.WriteAtomic(keyPath, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        DurableFiles.WriteAtomic(Path.Combine(paths.DevFactory, "README.txt"), Encoding.UTF8.GetBytes(
            "NOT FOR PRODUCTION. A development manufacturer CA made by `otter server init`.\n"
            + "Its key (ca.key) is not encrypted so that simulators and tests can issue factory identity\n"
            + "certificates: otter-agent provision ... --factory-ca THIS_DIRECTORY.\n"
            + "Anyone who can read ca.key can make devices this server accepts. For a real fleet, delete\n"
            + "manufacturers/dev-factory.pem and trust your manufacturer's CA with\n"
            + "`otter server trust-manufacturer --data DIR CA_PEM`.\n"));
        DurableFiles.WriteAtomic(Path.Combine(paths.Manufacturers, "dev-factory.pem"), pem);
    }
}
