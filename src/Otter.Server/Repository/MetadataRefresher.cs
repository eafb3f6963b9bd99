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
internal sealed partial class MetadataRefresher(ServerState state, AuditLog audit, Alerts.AlertService alerts, IServiceScopeFactory scopes, TimeProvider time, ILogger<MetadataRefresher> logger) : BackgroundService
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

    /// <summary>Raises a warning alert (once a day per key) for every online key with less than 14 days left to sign.</summary>
    public async Task<int> WarnExpiringKeysAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var raised = 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OtterDbContext>();
        foreach (var role in new TufRepository(time).Status(state.Paths.Repository).Roles.Where(r => r.KeyNotAfter is not null && r.KeyDaysLeft < 14))
        {
            var alert = await alerts.RaiseAsync(
                db,
                Alerts.AlertKinds.KeyExpiring,
                role.KeyDaysLeft <= 2 ? Alerts.AlertKinds.High : Alerts.AlertKinds.Warning,
                $"{role.Role} key",
                $"the online {role.Role} key may sign for {Math.Max(0, role.KeyDaysLeft!.Value):0.#} more days (until {role.KeyNotAfter:u}); rotate it with `otter repo rotate --role {role.Role}`",
                new Dictionary<string, string> { ["role"] = role.Role, ["key_ids"] = string.Join(",", role.KeyIds), ["not_after"] = role.KeyNotAfter!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
                $"key-expiring:{role.Role}:{string.Join(",", role.KeyIds)}:{now:yyyy-MM-dd}",
                cancellationToken);
            raised += alert is null ? 0 : 1;
        }

        return raised;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshIfDueAsync(stoppingToken);
                await WarnExpiringKeysAsync(stoppingToken);
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
