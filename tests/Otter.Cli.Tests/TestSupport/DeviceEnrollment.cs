using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Protocol;
using Otter.Protocol.Device;

namespace Otter.Cli.Tests.TestSupport;

/// <summary>
/// Puts a device into a test server the way a real one arrives: a factory identity certificate
/// from the server's development manufacturer CA, a CSR made with the device's own key and
/// signed over by the factory key, POSTed to the device API's enrollment endpoint.
/// </summary>
internal static class DeviceEnrollment
{
    public static async Task<EnrollResponse> EnrollAsync(ServerFixture server, string id, string hardware)
    {
        var factoryDirectory = Path.Combine(server.DataDirectory, "dev-factory");
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(factoryDirectory, "ca.pem"), Path.Combine(factoryDirectory, "ca.key"));
        using var factoryKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var factoryRequest = new CertificateRequest($"CN={id}", factoryKey, HashAlgorithmName.SHA256);
        factoryRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var now = TimeProvider.System.GetUtcNow();
        using var factoryCertificate = factoryRequest.Create(ca, now.AddMinutes(-5), now.AddYears(1), RandomNumberGenerator.GetBytes(16));

        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={id}", deviceKey, HashAlgorithmName.SHA256).CreateSigningRequest();
        var request = new EnrollRequest
        {
            Csr = PemEncoding.WriteString("CERTIFICATE REQUEST", csr),
            FactoryCertificate = factoryCertificate.ExportCertificatePem(),
            FactorySignature = Convert.ToBase64String(factoryKey.SignData(csr, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
            Hardware = hardware,
        };

        using var client = server.Device();
        using var response = await client.PostAsJsonAsync("device/v1/enroll", request, ProtocolJsonContext.Default.EnrollRequest);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"enrollment of {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.EnrollResponse))!;
    }
}
