using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Protocol;
using Otter.Protocol.Device;

namespace Otter.Cli.Tests.TestSupport;

/// <summary>
/// A device that goes the whole way through the real device API, as <see cref="DeviceEnrollment"/>
/// starts it: it enrolls (pending), is approved, enrolls again with the same key for its fleet
/// certificate, and then checks in and carries out what it is assigned by reporting downloading,
/// installed and committed; the reports the rollout engine counts.
/// </summary>
internal sealed class FleetDevice : IDisposable
{
    private readonly ECDsa _deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _factoryKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _factoryCertificate;
    private X509Certificate2? _clientCertificate;
    private HttpClient? _client;

    private FleetDevice(ServerFixture server, string id)
    {
        Id = id;
        var factoryDirectory = Path.Combine(server.DataDirectory, "dev-factory");
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(factoryDirectory, "ca.pem"), Path.Combine(factoryDirectory, "ca.key"));
        var request = new CertificateRequest($"CN={id}", _factoryKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var now = TimeProvider.System.GetUtcNow();
        _factoryCertificate = request.Create(ca, now.AddMinutes(-5), now.AddYears(1), RandomNumberGenerator.GetBytes(16));
    }

    public string Id { get; }

    /// <summary>The release it runs (slot a, booted and good), once it committed one.</summary>
    public string? Running { get; private set; }

    /// <summary>Enrolls a device with a unique id, approves it, enrolls it again for its certificate and checks it in once.</summary>
    public static async Task<FleetDevice> ApprovedAsync(ServerFixture server, string hardware)
    {
        var device = new FleetDevice(server, ManagementServer.Unique("dev"));
        try
        {
            Assert.Equal(EnrollmentStatus.Pending, (await device.EnrollAsync(server, hardware)).Status);
            using (var api = server.Api())
            using (var approval = await api.PostAsync($"api/v1/devices/{device.Id}/approve", null))
            {
                Assert.True(approval.IsSuccessStatusCode, $"approval of {device.Id}: {(int)approval.StatusCode} {await approval.Content.ReadAsStringAsync()}");
            }

            Assert.Equal(EnrollmentStatus.Approved, (await device.EnrollAsync(server, hardware)).Status);
            await device.CheckInAsync();
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>Checks in; an assigned update is carried out to the end (reports, then a check-in running it). True when it installed one.</summary>
    public async Task<bool> CheckInAsync()
    {
        var response = await PostCheckInAsync();
        if (response.Action != DeviceActions.Update)
        {
            return false;
        }

        var target = response.Update!.Target;
        await ReportAsync(ReportPhases.Downloading, target);
        await ReportAsync(ReportPhases.Installed, target);
        await ReportAsync(ReportPhases.Committed, target);
        Running = target;
        await PostCheckInAsync();
        return true;
    }

    public void Dispose()
    {
        _client?.Dispose();
        _clientCertificate?.Dispose();
        _factoryCertificate.Dispose();
        _factoryKey.Dispose();
        _deviceKey.Dispose();
    }

    private async Task<EnrollResponse> EnrollAsync(ServerFixture server, string hardware)
    {
        var csr = new CertificateRequest($"CN={Id}", _deviceKey, HashAlgorithmName.SHA256).CreateSigningRequest();
        var request = new EnrollRequest
        {
            Csr = PemEncoding.WriteString("CERTIFICATE REQUEST", csr),
            FactoryCertificate = _factoryCertificate.ExportCertificatePem(),
            FactorySignature = Convert.ToBase64String(_factoryKey.SignData(csr, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
            Hardware = hardware,
        };
        using var client = server.Device();
        using var response = await client.PostAsJsonAsync("device/v1/enroll", request, ProtocolJsonContext.Default.EnrollRequest);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"enrollment of {Id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var answer = (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.EnrollResponse))!;
        if (answer.Certificate is { } pem)
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            _clientCertificate = certificate.CopyWithPrivateKey(_deviceKey);
            _client = server.Device(_clientCertificate);
        }

        return answer;
    }

    private async Task ReportAsync(string phase, string target)
    {
        using var response = await Client.PostAsJsonAsync("device/v1/reports", new DeviceReport { Phase = phase, Target = target }, ProtocolJsonContext.Default.DeviceReport);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"report {phase} of {Id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<CheckInResponse> PostCheckInAsync()
    {
        var request = new CheckInRequest
        {
            ActiveSlot = Running is null ? null : "a",
            BootedSlot = Running is null ? null : "a",
            Health = "healthy",
            Slots = Running is null
                ? new Dictionary<string, SlotReport> { ["a"] = new() { State = "empty" }, ["b"] = new() { State = "empty" } }
                : new Dictionary<string, SlotReport> { ["a"] = new() { State = "good", Target = Running, Version = "1.0.0" }, ["b"] = new() { State = "empty" } },
        };
        using var response = await Client.PostAsJsonAsync("device/v1/checkin", request, ProtocolJsonContext.Default.CheckInRequest);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"check-in of {Id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CheckInResponse))!;
    }

    private HttpClient Client => _client ?? throw new InvalidOperationException($"{Id} has no fleet certificate yet; it must be approved and enroll again.");
}
