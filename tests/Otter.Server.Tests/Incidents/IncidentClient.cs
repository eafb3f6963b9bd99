using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Protocol.Incidents;
using Otter.Protocol.Management;
using Otter.Server.Tests.Support;
using Otter.Trust.Attestation;
using Otter.Trust.Keys;

namespace Otter.Server.Tests.Incidents;

/// <summary>A device speaking the device API by hand (check-ins with quotes, remediation, forensics), and the operator's calls.</summary>
internal sealed class IncidentClient(ServerFixture server, TestDevice device) : IDisposable
{
    private readonly HttpClient _device = device.Client(server);

    public TestDevice Device { get; } = device;

    public HttpClient Api { get; } = server.Api();

    public string? Nonce { get; private set; }

    /// <summary>A check-in; with <paramref name="release"/> it reports that release in the named slots and quotes <paramref name="measurement"/>.</summary>
    public async Task<HttpResponseMessage> CheckInAsync(ReleaseInfo? release = null, string? measurement = null, bool remediation = false, bool bothSlots = false)
    {
        var request = release is null ? new CheckInRequest { Health = "unknown" } : Booted(release, measurement ?? release.ExpectedMeasurement, bothSlots);
        var response = await _device.PostAsJsonAsync(remediation ? "device/v1/remediation/checkin" : "device/v1/checkin", request, ProtocolJsonContext.Default.CheckInRequest);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            LastAnswer = (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CheckInResponse))!;
            Nonce = LastAnswer.AttestationNonce;
        }

        return response;
    }

    /// <summary>The last successful check-in's answer.</summary>
    public CheckInResponse? LastAnswer { get; private set; }

    public async Task<CheckInResponse> CheckInOkAsync(ReleaseInfo? release = null, string? measurement = null, bool remediation = false, bool bothSlots = false)
    {
        using var response = await CheckInAsync(release, measurement, remediation, bothSlots);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return LastAnswer!;
    }

    public Task<HttpResponseMessage> ReportAsync(string phase, string target, bool remediation) =>
        _device.PostAsJsonAsync(remediation ? "device/v1/remediation/reports" : "device/v1/reports", new DeviceReport { Phase = phase, Target = target }, ProtocolJsonContext.Default.DeviceReport);

    public Task<HttpResponseMessage> GetSelfAsync() => _device.GetAsync($"device/v1/devices/{Device.Id}");

    /// <summary>Uploads <paramref name="body"/> with a signature made by <paramref name="signer"/> (none when null).</summary>
    public Task<HttpResponseMessage> UploadAsync(long request, byte[] body, ECDsa? signer)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, $"device/v1/forensics/{request}") { Content = new ByteArrayContent(body) };

        // As an agent would: an oversize bundle is refused before it is sent.
        message.Headers.ExpectContinue = true;
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (signer is not null)
        {
            message.Headers.Add(ForensicSignature.Header, Convert.ToBase64String(ForensicSignature.Sign(body, signer)));
        }

        return _device.SendAsync(message);
    }

    /// <summary>A well-formed bundle for <paramref name="request"/>.</summary>
    public byte[] Bundle(long request, string? deviceId = null) => JsonSerializer.SerializeToUtf8Bytes(
        new ForensicBundle
        {
            DeviceId = deviceId ?? Device.Id,
            RequestId = request,
            CollectedAt = DateTimeOffset.UnixEpoch,
            Items =
            [
                new ForensicItem { Name = "bootctl.json", Content = Convert.ToBase64String("{\"active\":\"a\"}"u8.ToArray()) },
                new ForensicItem { Name = "slots/a.sha256", Content = Convert.ToBase64String(SHA256.HashData("slot a"u8)) },
                new ForensicItem { Name = "logs/agent.log", Content = Convert.ToBase64String("checked in\n"u8.ToArray()) },
            ],
        },
        ProtocolJsonContext.Default.ForensicBundle);

    public async Task<DeviceOrderView> OrderAsync(string order, object? body = null)
    {
        using var response = body switch
        {
            QuarantineRequest q => await Api.PostAsJsonAsync($"api/v1/devices/{Device.Id}/{order}", q, ProtocolJsonContext.Default.QuarantineRequest),
            ReimageRequest r => await Api.PostAsJsonAsync($"api/v1/devices/{Device.Id}/{order}", r, ProtocolJsonContext.Default.ReimageRequest),
            _ => await Api.PostAsync($"api/v1/devices/{Device.Id}/{order}", null),
        };
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.DeviceOrderView))!;
    }

    public async Task<DeviceView> ViewAsync() => (await Api.GetFromJsonAsync($"api/v1/devices/{Device.Id}", ProtocolJsonContext.Default.DeviceView))!;

    public async Task<IncidentView> IncidentAsync(long id) => (await Api.GetFromJsonAsync($"api/v1/incidents/{id}", ProtocolJsonContext.Default.IncidentView))!;

    public void Dispose()
    {
        _device.Dispose();
        Api.Dispose();
    }

    private CheckInRequest Booted(ReleaseInfo release, string measurement, bool bothSlots)
    {
        using var signer = new EcdsaSigner(ECDsa.Create(Device.Key.ExportParameters(includePrivateParameters: true)), "device");
        var quote = QuoteSigner.Sign(
            new QuoteBody { DeviceId = Device.Id, Nonce = Nonce!, Measurement = measurement, ManifestSha256 = new string('b', 64), Slot = "a", Version = release.Version, SecurityCounter = release.SecurityCounter },
            signer);
        var good = new SlotReport { State = "good", Version = release.Version, SecurityCounter = release.SecurityCounter, Target = release.Name };
        return new CheckInRequest
        {
            ActiveSlot = "a",
            BootedSlot = "a",
            SecurityCounter = release.SecurityCounter,
            Health = "healthy",
            Slots = new Dictionary<string, SlotReport> { ["a"] = good, ["b"] = bothSlots ? good : new SlotReport { State = "empty" } },
            Quote = quote,
        };
    }
}
