using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Protocol.Management;
using Otter.Server.Tests.Support;

namespace Otter.Server.Tests.Devices;

/// <summary>The device API's gate: who may call it, with what, how often; and that a device sees only itself.</summary>
public sealed class DeviceApiTests
{
    private static readonly CheckInRequest EmptyCheckIn = new() { Health = "unknown" };

    [Fact]
    public async Task CheckIn_CurrentFleetCertificate_AnswersWithNonceAndNoAction()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);

        using var response = await device.Client(server).PostAsJsonAsync("device/v1/checkin", EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CheckInResponse))!;
        Assert.Equal(DeviceActions.None, body.Action);
        Assert.Equal(32, body.AttestationNonce.Length);
        var view = await server.Api().GetFromJsonAsync($"api/v1/devices/{device.Id}", ProtocolJsonContext.Default.DeviceView);
        Assert.NotNull(view!.LastSeen);
    }

    [Fact]
    public async Task CheckIn_NoClientCertificate_Unauthorized()
    {
        await using var server = await ServerFixture.StartAsync();

        using var response = await server.Device().PostAsJsonAsync("device/v1/checkin", EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Unauthorized, "client certificate or a signed device token");
    }

    [Fact]
    public async Task CheckIn_CertificateFromAnotherCa_Unauthorized()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);
        using var otherCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Other CA", otherCaKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var otherCa = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(5));
        var leafRequest = new CertificateRequest("CN=" + device.Id, device.Key, HashAlgorithmName.SHA256);
        using var forged = leafRequest.Create(otherCa, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1), [1, 2, 3, 4]);
        using var forgedWithKey = forged.CopyWithPrivateKey(device.Key);

        using var response = await server.Device(forgedWithKey).PostAsJsonAsync("device/v1/checkin", EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Unauthorized, "does not chain");
    }

    [Fact]
    public async Task CheckIn_ExpiredCertificate_Unauthorized()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ServerFixture.StartAsync(time: clock);
        using var device = await EnrolledAsync(server);
        clock.Advance(TimeSpan.FromDays(366));

        using var response = await device.Client(server).PostAsJsonAsync("device/v1/checkin", EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Unauthorized, "expired");
    }

    [Fact]
    public async Task CheckIn_ReplacedCertificate_Unauthorized()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);
        using var old = new X509Certificate2(device.ClientCertificate!);
        (await device.EnrollAsync(server)).Dispose();

        using var response = await server.Device(old).PostAsJsonAsync("device/v1/checkin", EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Unauthorized, "not the current certificate");
    }

    [Fact]
    public async Task DeviceRecord_AnotherDevicesId_Forbidden()
    {
        await using var server = await ServerFixture.StartAsync();
        using var alice = await EnrolledAsync(server);
        using var bob = await EnrolledAsync(server);

        using var own = await alice.Client(server).GetAsync($"device/v1/devices/{alice.Id}");
        using var other = await alice.Client(server).GetAsync($"device/v1/devices/{bob.Id}");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        await Http.AssertRefusedAsync(server, other, HttpStatusCode.Forbidden, "only its own record");
    }

    [Fact]
    public async Task CheckIn_SignedToken_AcceptedOnceAndReplayRefused()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);
        var json = JsonSerializer.Serialize(EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);
        using var client = server.Device();
        using var first = device.TokenRequest(HttpMethod.Post, "device/v1/checkin", json, DateTimeOffset.UtcNow);
        var header = first.Headers.Authorization!.ToString();

        using var accepted = await client.SendAsync(first);
        using var replay = new HttpRequestMessage(HttpMethod.Post, "device/v1/checkin") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        replay.Headers.TryAddWithoutValidation("Authorization", header);
        using var refused = await client.SendAsync(replay);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await Http.AssertRefusedAsync(server, refused, HttpStatusCode.Unauthorized, "already used");
    }

    [Fact]
    public async Task CheckIn_StaleToken_Unauthorized()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);
        var json = JsonSerializer.Serialize(EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);

        using var request = device.TokenRequest(HttpMethod.Post, "device/v1/checkin", json, DateTimeOffset.UtcNow.AddSeconds(-301));
        using var response = await server.Device().SendAsync(request);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Unauthorized, "clock");
    }

    [Fact]
    public async Task CheckIn_TokenForAlteredBody_Unauthorized()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);
        var json = JsonSerializer.Serialize(EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);
        using var signed = device.TokenRequest(HttpMethod.Post, "device/v1/checkin", json, DateTimeOffset.UtcNow);
        using var altered = new HttpRequestMessage(HttpMethod.Post, "device/v1/checkin") { Content = new StringContent(json.Replace("unknown", "healthy", StringComparison.Ordinal), Encoding.UTF8, "application/json") };
        altered.Headers.TryAddWithoutValidation("Authorization", signed.Headers.Authorization!.ToString());

        using var response = await server.Device().SendAsync(altered);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Unauthorized, "signature does not match");
    }

    [Theory]
    [InlineData(DeviceStatuses.Quarantined, "quarantined")]
    [InlineData(DeviceStatuses.Pending, "approval")]
    public async Task CheckIn_DeviceNotInService_Forbidden(string status, string fragment)
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);
        await SetStatusAsync(server, device.Id, status);

        using var response = await device.Client(server).PostAsJsonAsync("device/v1/checkin", EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Forbidden, fragment);
    }

    [Fact]
    public async Task CheckIn_Decommissioned_CredentialsStopWorking()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);
        (await server.Api().PostAsync($"api/v1/devices/{device.Id}/decommission", null)).Dispose();

        using var response = await device.Client(server).PostAsJsonAsync("device/v1/checkin", EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);
        using var enroll = await device.EnrollAsync(server);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Unauthorized, "not the current certificate");
        await Http.AssertRefusedAsync(server, enroll, HttpStatusCode.Forbidden, "decommissioned");
    }

    [Fact]
    public async Task CheckIn_MalformedJson_BadRequestNamingTheProblem()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);

        using var response = await device.Client(server).PostAsync("device/v1/checkin", new StringContent("{\"security_counter\": \"many\"}", Encoding.UTF8, "application/json"));

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.BadRequest, "security_counter");
    }

    [Fact]
    public async Task CheckIn_OversizeBody_PayloadTooLarge()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);
        var huge = "{\"health\": \"" + new string('x', 200_000) + "\"}";

        using var response = await device.Client(server).PostAsync("device/v1/checkin", new StringContent(huge, Encoding.UTF8, "application/json"));

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.RequestEntityTooLarge, "larger");
    }

    [Fact]
    public async Task Report_UnknownPhase_BadRequest()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);

        using var response = await device.Client(server).PostAsJsonAsync("device/v1/reports", new DeviceReport { Phase = "exploded" }, ProtocolJsonContext.Default.DeviceReport);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.BadRequest, "exploded");
    }

    [Fact]
    public async Task DeviceApi_OnManagementEndpoint_NotFound()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await EnrolledAsync(server);
        using var client = new HttpClient(server.Handler(device.ClientCertificate)) { BaseAddress = server.ApiUrl };

        using var response = await client.PostAsJsonAsync("device/v1/checkin", EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.NotFound, "device URL");
    }

    [Fact]
    public async Task CheckIn_FloodFromOneDevice_TooManyRequestsForItOnly()
    {
        await using var server = await ServerFixture.StartAsync();
        using var flooder = await EnrolledAsync(server);
        using var quiet = await EnrolledAsync(server);
        using var flooding = flooder.Client(server);
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 500 && limited is null; i++)
        {
            var response = await flooding.PostAsJsonAsync("device/v1/checkin", EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        using var served = await quiet.Client(server).PostAsJsonAsync("device/v1/checkin", EmptyCheckIn, ProtocolJsonContext.Default.CheckInRequest);

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must carry Retry-After");
            await Http.AssertRefusedAsync(server, limited, HttpStatusCode.TooManyRequests, flooder.Id);
        }

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    internal static async Task<TestDevice> EnrolledAsync(ServerFixture server)
    {
        var device = TestDevice.Create(server);
        using var response = await device.EnrollAsync(server);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return device;
    }

    private static async Task SetStatusAsync(ServerFixture server, string id, string status)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "otter.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE devices SET \"Status\" = $status WHERE \"Id\" = $id";
        command.Parameters.AddWithValue("$status", status);
        command.Parameters.AddWithValue("$id", id);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
