using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Otter.Protocol;
using Otter.Protocol.Device;

namespace Otter.Benchmarks;

/// <summary>A device enrolled through <c>POST /device/v1/enroll</c>: its fleet certificate with its key, the load clients' client certificate.</summary>
internal sealed class BenchDevice : IDisposable
{
    public const string Hardware = "gw-x2";

    // Kept for the certificate's lifetime: the certificate refers to it for the TLS handshakes.
    private readonly ECDsa _key;

    private BenchDevice(string id, X509Certificate2 certificate, ECDsa key)
    {
        Id = id;
        Certificate = certificate;
        _key = key;
    }

    public string Id { get; }

    /// <summary>The fleet certificate issued at enrollment, with the device's private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// Enrolls as a device would: a factory identity from <paramref name="factoryCa"/> (with its
    /// key), a new P-256 device key, a CSR signed by the factory key.
    /// </summary>
    public static async Task<BenchDevice> EnrollAsync(HttpClient deviceApi, string id, X509Certificate2 factoryCa)
    {
        using var factoryKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var factoryRequest = new CertificateRequest("CN=" + id, factoryKey, HashAlgorithmName.SHA256);
        factoryRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        factoryRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var factory = factoryRequest.Create(factoryCa, now.AddMinutes(-5), now.AddYears(10), serial);

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var csr = new CertificateRequest("CN=" + id, key, HashAlgorithmName.SHA256).CreateSigningRequest();
            var request = new EnrollRequest
            {
                Csr = PemEncoding.WriteString("CERTIFICATE REQUEST", csr),
                FactoryCertificate = factory.ExportCertificatePem(),
                FactorySignature = Convert.ToBase64String(factoryKey.SignData(csr, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
                Hardware = Hardware,
            };
            using var response = await deviceApi.PostAsJsonAsync("device/v1/enroll", request, ProtocolJsonContext.Default.EnrollRequest);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"enrolling {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            var body = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.EnrollResponse)
                ?? throw new InvalidOperationException($"enrolling {id}: an empty answer");
            using var issued = X509Certificate2.CreateFromPem(body.Certificate ?? throw new InvalidOperationException($"enrolling {id}: no certificate (status {body.Status})"));
            return new BenchDevice(id, issued.CopyWithPrivateKey(key), key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
