using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Otter.Server.Data;

namespace Otter.Server.Incidents;

/// <summary>Acts on the in-memory detectors' findings under the detection policy, off the request path.</summary>
internal sealed partial class IncidentWorker(AnomalyDetectors detectors, IServiceScopeFactory scopes, ILogger<IncidentWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var finding in detectors.Findings.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<OtterDbContext>();
                    var device = await db.Devices.FirstOrDefaultAsync(d => d.Id == finding.DeviceId, stoppingToken);
                    if (device is null)
                    {
                        // Failed authentication as a device that does not exist: nothing to attach an incident to.
                        continue;
                    }

                    await scope.ServiceProvider.GetRequiredService<IncidentService>()
                        .DetectAsync(db, device, finding.Kind, finding.Title, finding.Evidence, finding.DedupKey, stoppingToken);
                }
                catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
                {
                    LogFailed(logger, finding.DeviceId, finding.Kind, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "could not act on a {Kind} finding for device {Device}: {Problem}")]
    private static partial void LogFailed(ILogger logger, string device, string kind, string problem);
}
