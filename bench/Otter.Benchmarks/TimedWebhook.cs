using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Otter.Protocol;
using Otter.Protocol.Alerts;

namespace Otter.Benchmarks;

/// <summary>A webhook on loopback that notes when each alert arrived (Stopwatch ticks) by its subject, after checking its signature.</summary>
internal sealed class TimedWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _secret;

    private TimedWebhook(WebApplication app, string secret)
    {
        _app = app;
        _secret = secret;
    }

    /// <summary>Arrival (Stopwatch timestamp) and kind of each alert, by subject.</summary>
    public ConcurrentDictionary<string, (long At, string Kind)> Arrivals { get; } = new(StringComparer.Ordinal);

    public int BadSignatures { get; private set; }

    public Uri Url { get; private set; } = null!;

    public static async Task<TimedWebhook> StartAsync(string secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var webhook = new TimedWebhook(app, secret);
        app.MapPost("/hook", (Delegate)webhook.ReceiveAsync);
        await app.StartAsync();
        webhook.Url = new Uri(app.Urls.First() + "/hook");
        return webhook;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<IResult> ReceiveAsync(HttpContext context)
    {
        var at = Stopwatch.GetTimestamp();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        if (!AlertSignature.Verify(context.Request.Headers[AlertSignature.Header].ToString(), body, System.Text.Encoding.UTF8.GetBytes(_secret), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)))
        {
            BadSignatures++;
            return Results.StatusCode(400);
        }

        var alert = JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.AlertPayload)!;
        Arrivals.TryAdd(alert.Subject, (at, alert.Kind));
        return Results.NoContent();
    }
}
