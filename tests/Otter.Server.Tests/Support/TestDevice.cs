using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Otter.Protocol;
using Otter.Protocol.Device;

namespace Otter.Server.Tests.Support;

/// <summary>A device as the server sees it: a factory identity from the dev factory CA, its own key, a CSR, and after enrollment a fleet certificate.</summary>
internal sealed class TestDevice : IDisposable
{
    private TestDevice(string id, ECDsa key, X509Certificate2 factory, ECDsa factoryKey)
    {
        Id = id;
        Key = key;
        FactoryCertificate = factory;
        FactoryKey = factoryKey;
    }

    public string Id { get; }

    public ECDsa Key { get; private set; }

    public X509Certificate2 FactoryCertificate { get; }

    public ECDsa FactoryKey { get; }

    /// <summary>The fleet certificate with the device key, after enrollment.</summary>
    public X509Certificate2? ClientCertificate { get; private set; }

    public byte[]? TokenSecret { get; private set; }

    public string? Nonce { get; set; }

    /// <summary>A device with a factory certificate from <paramref name="caPem"/>/<paramref name="caKeyPem"/> (the server's dev-factory by default).</summary>
    public static TestDevice Create(ServerFixture server, string? id = null, string? caPem = null, string? caKeyPem = null, DateTimeOffset? notAfter = null)
    {
        id ??= "dev-" + Guid.NewGuid().ToString("N")[..10];
        caPem ??= File.ReadAllText(Path.Combine(server.DataDirectory, "dev-factory", "ca.pem"));
        caKeyPem ??= File.ReadAllText(Path.Combine(server.DataDirectory, "dev-factory", "ca.key"));
        using var ca = X509Certificate2.CreateFromPem(caPem);
        using var caKey = ECDsa.Create();
        caKey.ImportFromPem(caKeyPem);
        var factoryKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + id, factoryKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var caWithKey = ca.CopyWithPrivateKey(caKey);
        var factory = request.Create(caWithKey, now.AddMinutes(-5), notAfter ?? now.AddYears(10), serial);
        return new TestDevice(id, ECDsa.Create(ECCurve.NamedCurves.nistP256), factory, factoryKey);
    }

    /// <summary>The enrollment request for the current device key.</summary>
    public EnrollRequest EnrollRequest(string hardware = "gw-x2")
    {
        var csr = new CertificateRequest("CN=" + Id, Key, HashAlgorithmName.SHA256).CreateSigningRequest();
        return new EnrollRequest
        {
            Csr = PemEncoding.WriteString("CERTIFICATE REQUEST", csr),
            FactoryCertificate = FactoryCertificate.ExportCertificatePem(),
            FactorySignature = Convert.ToBase64String(FactoryKey.SignData(csr, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
            Hardware = hardware,
        };
    }

    /// <summary>Enrolls and keeps the fleet certificate; returns the HTTP response.</summary>
    public async Task<HttpResponseMessage> EnrollAsync(ServerFixture server, string hardware = "gw-x2")
    {
        using var client = server.Device();
        var response = await client.PostAsJsonAsync("device/v1/enroll", EnrollRequest(hardware), ProtocolJsonContext.Default.EnrollRequest);
        if (response.StatusCode == System.Net.HttpStatusCode.OK)
        {
            var body = (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.EnrollResponse))!;
            using var certificate = X509Certificate2.CreateFromPem(body.Certificate!);
            ClientCertificate = certificate.CopyWithPrivateKey(Key);
            TokenSecret = Convert.FromBase64String(body.TokenSecret!);
        }

        return response;
    }

    /// <summary>Replaces the device key (as a clone with the same factory identity would have another).</summary>
    public void Rekey()
    {
        Key.Dispose();
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    }

    /// <summary>An mTLS client for the device API.</summary>
    public HttpClient Client(ServerFixture server) =>
        server.Device(ClientCertificate ?? throw new InvalidOperationException("enroll first"));

    /// <summary>A request signed with a device token instead of a client certificate.</summary>
    public HttpRequestMessage TokenRequest(HttpMethod method, string path, string json, DateTimeOffset now)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", DeviceToken.Create(Id, TokenSecret!, method.Method, "/" + path.TrimStart('/'), body, now));
        return request;
    }

    public void Dispose()
    {
        Key.Dispose();
        FactoryKey.Dispose();
        FactoryCertificate.Dispose();
        ClientCertificate?.Dispose();
    }
}
