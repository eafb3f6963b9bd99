using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Server.Tests.Support;
using Otter.Trust.Attestation;
using Otter.Trust.Keys;

namespace Otter.Server.Tests.Rollouts;

/// <summary>Alerts besides rollouts: attestation mismatch, online keys close to expiry.</summary>
public sealed class AlertEventTests
{
    [Fact]
    public async Task CheckIn_AttestationMismatch_HighAlertOnce()
    {
        await using var world = await RolloutWorld.StartAsync(1);
        var agent = world.Agents[0];
        var release = (await world.Server.Api().GetFromJsonAsync($"api/v1/releases/{RolloutWorld.V1}", ProtocolJsonContext.Default.ReleaseInfo))!;
        using var client = agent.Device.Client(world.Server);
        var nonce = (await CheckInAsync(client, new CheckInRequest())).AttestationNonce;

        nonce = (await CheckInAsync(client, Quoted(agent.Device, release, nonce))).AttestationNonce;

        // The default policy quarantines on a mismatch: the next normal check-in is refused, and no second alert is raised.
        using (var again = await client.PostAsJsonAsync("device/v1/checkin", Quoted(agent.Device, release, nonce), ProtocolJsonContext.Default.CheckInRequest))
        {
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, again.StatusCode);
        }

        var alerts = (await world.Server.Api().GetFromJsonAsync("api/v1/alerts", ProtocolJsonContext.Default.ListAlertView))!;
        var mismatch = Assert.Single(alerts, a => a.Alert.Kind == "attestation.mismatch");
        Assert.Equal("high", mismatch.Alert.Severity);
        Assert.Equal(agent.Id, mismatch.Alert.Details["device"]);
    }

    [Fact]
    public async Task WarnExpiringKeys_KeyWithTenDaysLeft_WarningOncePerDay()
    {
        await using var world = await RolloutWorld.StartAsync(1);
        var refresher = world.Server.Services.GetRequiredService<Otter.Server.Repository.MetadataRefresher>();

        // The online keys were first used when the releases were published; they may sign for 90 days.
        world.Clock.Advance(TimeSpan.FromDays(80));
        var first = await refresher.WarnExpiringKeysAsync(CancellationToken.None);
        var again = await refresher.WarnExpiringKeysAsync(CancellationToken.None);

        Assert.True(first >= 1);
        Assert.Equal(0, again);
        var alerts = (await world.Server.Api().GetFromJsonAsync("api/v1/alerts", ProtocolJsonContext.Default.ListAlertView))!;
        Assert.Contains(alerts, a => a.Alert.Kind == "key.expiring" && a.Alert.Details["role"] == "targets");
    }

    private static async Task<CheckInResponse> CheckInAsync(HttpClient client, CheckInRequest request)
    {
        using var response = await client.PostAsJsonAsync("device/v1/checkin", request, ProtocolJsonContext.Default.CheckInRequest);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CheckInResponse))!;
    }

    private static CheckInRequest Quoted(TestDevice device, Otter.Protocol.Management.ReleaseInfo release, string nonce)
    {
        using var signer = new EcdsaSigner(ECDsa.Create(device.Key.ExportParameters(includePrivateParameters: true)), "device");
        var quote = QuoteSigner.Sign(
            new QuoteBody { DeviceId = device.Id, Nonce = nonce, Measurement = new string('f', 64), ManifestSha256 = new string('b', 64), Slot = "a", Version = release.Version, SecurityCounter = release.SecurityCounter },
            signer);
        return new CheckInRequest
        {
            ActiveSlot = "a",
            BootedSlot = "a",
            Slots = new Dictionary<string, SlotReport> { ["a"] = new() { State = "good", Target = release.Name, Version = release.Version } },
            Quote = quote,
        };
    }
}
