using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Otter.Protocol;
using Otter.Protocol.Alerts;

namespace Otter.Cli.Demo;

/// <summary>
/// The demo's alert receiver: a webhook endpoint on loopback that checks every post's
/// <c>X-Otter-Signature</c> with the shared secret, as an operator's receiver would, and keeps
/// the alerts whose signature verified.
/// </summary>
internal sealed class DemoWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly byte[] _secret;

    private DemoWebhook(WebApplication app, byte[] secret)
    {
        _app = app;
        _secret = secret;
    }

    /// <summary>Alerts with a valid signature.</summary>
    public ConcurrentQueue<AlertPayload> Verified { get; } = new();

    /// <summary>Posts whose signature did not verify (refused with 401).</summary>
    public int Refused => _refused;

    public Uri Url { get; private set; } = null!;

    private int _refused;

    public static async Task<DemoWebhook> StartAsync(string secret, TimeProvider time, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new DemoWebhook(app, System.Text.Encoding.UTF8.GetBytes(secret));
        app.MapPost("/otter-alerts", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var body = buffer.ToArray();
            if (!AlertSignature.Verify(context.Request.Headers[AlertSignature.Header].ToString(), body, receiver._secret, time.GetUtcNow(), TimeSpan.FromMinutes(5)))
            {
                Interlocked.Increment(ref receiver._refused);
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            try
            {
                if (JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.AlertPayload) is { } alert)
                {
                    receiver.Verified.Enqueue(alert);
                }
            }
            catch (JsonException)
            {
                return Results.BadRequest();
            }

            return Results.NoContent();
        });
        await app.StartAsync(cancellationToken);
        var address = app.Urls.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/otter-alerts");
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
