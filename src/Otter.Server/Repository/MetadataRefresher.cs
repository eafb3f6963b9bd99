using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Otter.Server.Audit;
using Otter.Server.Data;
using Otter.Server.Setup;
using Otter.Trust;
using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Repository;

namespace Otter.Server.Repository;

/// <summary>
/// Keeps the online TUF roles fresh: snapshot and timestamp are re-signed once less than half of
/// their validity is left, so devices never meet expired metadata from a healthy server.
/// </summary>
internal sealed partial class MetadataRefresher(ServerState state, AuditLog audit, IServiceScopeFactory scopes, TimeProvider time, ILogger<MetadataRefresher> logger) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(10);

    /// <summary>Re-signs snapshot and timestamp when either has less than half its lifetime left; true when it did.</summary>
    public async Task<bool> RefreshIfDueAsync(CancellationToken cancellationToken)
    {
        var repository = new TufRepository(time);
        var status = repository.Status(state.Paths.Repository);
        var now = time.GetUtcNow();
        var due = status.Roles
            .Where(r => r.Role is TufRoles.Snapshot or TufRoles.Timestamp)
            // Server-made repositories use the default lifetimes (timestamp 1 day, snapshot 7 days).
            .Where(r => r.MetadataExpires - now < TimeSpan.FromDays(RepositoryConfig.DefaultExpiryDays[r.Role]) / 2)
            .Select(r => r.Role)
            .ToList();
        if (due.Count == 0)
        {
            return false;
        }

        await state.PublishLock.WaitAsync(cancellationToken);
        try
        {
            var change = repository.Refresh(state.Paths.Repository, state.SnapshotKey, state.TimestampKey);
            var versions = string.Join(", ", change.Roles.Where(r => r.Changed).Select(r => $"{r.Role} v{r.Version} until {r.Expires:u}"));
            await using var scope = scopes.CreateAsyncScope();
            await audit.AppendAsync(scope.ServiceProvider.GetRequiredService<OtterDbContext>(), "server", "repository.refresh", string.Join(",", due), versions, cancellationToken);
            LogRefreshed(logger, versions);
            return true;
        }
        finally
        {
            state.PublishLock.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshIfDueAsync(stoppingToken);
            }
            catch (TrustException ex)
            {
                // An expired online key cannot sign: say so loudly and keep trying (an operator rotates it).
                LogFailed(logger, ex.Message);
            }

            try
            {
                await Task.Delay(CheckEvery, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "re-signed TUF metadata: {Versions}")]
    private static partial void LogRefreshed(ILogger logger, string versions);

    [LoggerMessage(Level = LogLevel.Error, Message = "cannot re-sign snapshot/timestamp: {Problem}; devices will refuse the repository once timestamp expires. Rotate the key with `otter repo rotate`.")]
    private static partial void LogFailed(ILogger logger, string problem);
}
