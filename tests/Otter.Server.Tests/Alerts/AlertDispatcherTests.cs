using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Otter.Protocol;
using Otter.Protocol.Alerts;
using Otter.Server.Alerts;
using Otter.Server.Data;
using Otter.Server.Tests.Support;

namespace Otter.Server.Tests.Alerts;

/// <summary>The dispatcher's loop as it runs in the server (background work on).</summary>
public sealed class AlertDispatcherTests
{
    [Fact]
    public async Task Raise_DispatcherIdle_WokenAndDeliveredWithoutWaitingForItsPoll()
    {
        // Timers never fire: the dispatcher's 2 s poll never comes round, so only the raise's
        // signal can get the alert out.
        var clock = new FrozenTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ServerFixture.StartAsync(time: clock, backgroundWork: true);
        await using var receiver = await WebhookReceiver.StartAsync();
        (await server.Api().PostAsJsonAsync("api/v1/alerts/webhooks", new WebhookRequest { Url = receiver.Url.AbsoluteUri, Secret = "0123456789abcdef0123456789abcdef" }, ProtocolJsonContext.Default.WebhookRequest)).EnsureSuccessStatusCode();

        // Let the loop reach its wait first.
        await Task.Delay(500);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OtterDbContext>();
            await scope.ServiceProvider.GetRequiredService<AlertService>().RaiseAsync(db, AlertKinds.AttestationMismatch, AlertKinds.High, "gw-0001", "test alert", new Dictionary<string, string>(), "test:1", CancellationToken.None);
        }

        for (var i = 0; i < 300 && receiver.Received.IsEmpty; i++)
        {
            await Task.Delay(100);
        }

        var (_, kind, _) = Assert.Single(receiver.Received);
        Assert.Equal(AlertKinds.AttestationMismatch, kind);
    }
}
