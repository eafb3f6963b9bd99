using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Otter.Protocol.Alerts;
using Otter.Server.Data;
using Otter.Server.Hosting;

namespace Otter.Server.Alerts;

/// <summary>
/// Posts pending alert deliveries to their webhooks with an HMAC-SHA256 signature; retries with
/// exponential backoff (10 s, 20 s, 40 s … at most an hour apart) and gives up after 8 attempts;
/// every attempt's outcome stays in the delivery log.
/// </summary>
internal sealed partial class AlertDispatcher(IServiceScopeFactory scopes, TimeProvider time, ILogger<AlertDispatcher> logger, BackgroundWork background, AlertSignal signal) : BackgroundService, IDisposable
{
    public const int MaxAttempts = 8;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>Delivers every due delivery once; returns how many were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OtterDbContext>();
            var now = time.GetUtcNow();
            var due = await db.AlertDeliveries.Where(d => d.Status == "pending" && d.NextAttemptAt <= now).OrderBy(d => d.Id).Take(100).ToListAsync(cancellationToken);
            foreach (var delivery in due)
            {
                var sink = await db.AlertSinks.AsNoTracking().FirstOrDefaultAsync(s => s.Id == delivery.SinkId, cancellationToken);
                var alert = await db.Alerts.AsNoTracking().FirstAsync(a => a.Id == delivery.AlertId, cancellationToken);
                if (sink is null)
                {
                    delivery.Status = "failed";
                    delivery.LastError = "the webhook was removed";
                    continue;
                }

                await AttemptAsync(delivery, sink, alert, cancellationToken);
            }

            await db.SaveChangesAsync(cancellationToken);
            return due.Count;
        }
        finally
        {
            _running.Release();
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        _running.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!background.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(stoppingToken);

                // Retries fall due with time; new alerts wake the loop at once.
                await signal.WaitAsync(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
            {
                LogLoopFailed(logger, ex.Message);
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task AttemptAsync(AlertDeliveryRow delivery, AlertSinkRow sink, AlertRow alert, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(alert.PayloadJson);
        var now = time.GetUtcNow();
        delivery.Attempts++;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, sink.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation(AlertSignature.Header, AlertSignature.Create(sink.Secret, body, now));
            request.Headers.TryAddWithoutValidation("X-Otter-Event", alert.Kind);
            request.Headers.TryAddWithoutValidation("X-Otter-Delivery", delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var response = await _http.SendAsync(request, cancellationToken);
            delivery.LastStatusCode = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                delivery.Status = "delivered";
                delivery.DeliveredAt = now;
                delivery.LastError = null;
                return;
            }

            delivery.LastError = $"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            delivery.LastError = ex.Message;
        }

        if (delivery.Attempts >= MaxAttempts)
        {
            delivery.Status = "failed";
            LogGaveUp(logger, alert.Kind, sink.Url, delivery.Attempts, delivery.LastError ?? "-");
            return;
        }

        var backoff = TimeSpan.FromSeconds(Math.Min(3600, 10 * Math.Pow(2, delivery.Attempts - 1)));
        delivery.NextAttemptAt = now + backoff;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "alert {Kind} could not be delivered to {Url} after {Attempts} attempts: {Error}")]
    private static partial void LogGaveUp(ILogger logger, string kind, string url, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "alert dispatcher: {Problem}")]
    private static partial void LogLoopFailed(ILogger logger, string problem);
}
