using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Trust.Attestation;
using Otter.Trust.Keys;

namespace Otter.Benchmarks;

/// <summary>
/// A device that speaks the device API over mTLS as otter-agent does: a factory identity from the
/// server's development factory CA, its own P-256 key, enrollment, and check-ins reporting slot a
/// booted with a release and a quote over the server's last nonce, signed with the device key.
/// </summary>
internal sealed class QuotingDevice : IDisposable
{
    private readonly ECDsa _key;
    private readonly EcdsaSigner _signer;
    private HttpClient? _client;
    private string? _nonce;

    private QuotingDevice(string id)
    {
        Id = id;
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _signer = new EcdsaSigner(ECDsa.Create(_key.ExportParameters(includePrivateParameters: true)), id);
    }

    public string Id { get; }

    /// <summary>Makes the factory identity, enrolls, and checks in once (no quote yet) for a nonce.</summary>
    public static async Task<QuotingDevice> EnrollAsync(string id, OtterServerInstance server, Uri deviceUrl, string hardware)
    {
        var device = new QuotingDevice(id);
        try
        {
            var factory = Path.Combine(server.DataDirectory, "dev-factory");
            using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(factory, "ca.pem")));
            using var caKey = ECDsa.Create();
            caKey.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(factory, "ca.key")));
            using var caWithKey = ca.CopyWithPrivateKey(caKey);
            using var factoryKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var identity = new CertificateRequest("CN=" + id, factoryKey, HashAlgorithmName.SHA256);
            identity.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            var serial = RandomNumberGenerator.GetBytes(12);
            serial[0] &= 0x7F;
            using var factoryCertificate = identity.Create(caWithKey, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1), serial);
            var csr = new CertificateRequest("CN=" + id, device._key, HashAlgorithmName.SHA256).CreateSigningRequest();
            var request = new EnrollRequest
            {
                Csr = PemEncoding.WriteString("CERTIFICATE REQUEST", csr),
                FactoryCertificate = factoryCertificate.ExportCertificatePem(),
                FactorySignature = Convert.ToBase64String(factoryKey.SignData(csr, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
                Hardware = hardware,
            };
            EnrollResponse enrolled;
            using (var anonymous = new HttpClient(server.Handler(null)) { BaseAddress = deviceUrl })
            using (var response = await anonymous.PostAsJsonAsync("device/v1/enroll", request, ProtocolJsonContext.Default.EnrollRequest))
            {
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"enrolling {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }

                enrolled = (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.EnrollResponse))!;
            }

            using var issued = X509Certificate2.CreateFromPem(enrolled.Certificate!);
            var certificate = issued.CopyWithPrivateKey(device._key);
            device._client = new HttpClient(server.Handler(certificate)) { BaseAddress = deviceUrl };
            await device.CheckInAsync(target: null, measurement: null, HttpStatusCode.OK);
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks in reporting <paramref name="target"/> booted in slot a with a quote of
    /// <paramref name="measurement"/>; returns the round trip in milliseconds. Anything but
    /// <paramref name="expected"/> is an error.
    /// </summary>
    public async Task<double> CheckInAsync(string? target, string? measurement, HttpStatusCode expected)
    {
        var request = target is null
            ? new CheckInRequest { Health = "unknown" }
            : new CheckInRequest
            {
                ActiveSlot = "a",
                BootedSlot = "a",
                SecurityCounter = 1,
                Health = "healthy",
                Slots = new Dictionary<string, SlotReport>
                {
                    ["a"] = new() { State = "good", Version = "1.0.0", SecurityCounter = 1, Target = target },
                    ["b"] = new() { State = "empty" },
                },
                Quote = _nonce is null || measurement is null ? null : QuoteSigner.Sign(
                    new QuoteBody { DeviceId = Id, Nonce = _nonce, Measurement = measurement, ManifestSha256 = new string('0', 64), Slot = "a", Version = "1.0.0", SecurityCounter = 1 },
                    _signer),
            };
        var started = Stopwatch.GetTimestamp();
        using var response = await _client!.PostAsJsonAsync("device/v1/checkin", request, ProtocolJsonContext.Default.CheckInRequest);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"check-in of {Id}: {(int)response.StatusCode} (expected {(int)expected}) {await response.Content.ReadAsStringAsync()}");
        }

        if (response.StatusCode == HttpStatusCode.OK)
        {
            _nonce = (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CheckInResponse))!.AttestationNonce;
        }

        return elapsed;
    }

    public void Dispose()
    {
        _client?.Dispose();
        _signer.Dispose();
        _key.Dispose();
    }
}
