using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otter.Server.Data;

namespace Otter.Server.Incidents;

/// <summary>
/// Which devices have an outstanding order (a forced re-image or a forensic request), kept in
/// memory so that a routine check-in costs one dictionary lookup, not a query. Loaded from the
/// database on first use; one server process owns the orders it gives (replicas see their own).
/// </summary>
internal sealed class RemediationOrders(IServiceScopeFactory scopes) : IDisposable
{
    private readonly ConcurrentDictionary<string, byte> _devices = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile bool _loaded;

    public void Dispose() => _loading.Dispose();

    public void Mark(string deviceId) => _devices[deviceId] = 0;

    public void Clear(string deviceId) => _devices.TryRemove(deviceId, out _);

    /// <summary>Whether the device may have an order (then its check-in reads the orders).</summary>
    public async ValueTask<bool> MayHaveAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            await LoadAsync(cancellationToken);
        }

        return _devices.ContainsKey(deviceId);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_loaded)
            {
                return;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OtterDbContext>();
            foreach (var id in await db.Remediations.AsNoTracking().Select(r => r.DeviceId).ToListAsync(cancellationToken))
            {
                Mark(id);
            }

            foreach (var id in await db.ForensicBundles.AsNoTracking().Where(b => b.ReceivedAt == null).Select(b => b.DeviceId).ToListAsync(cancellationToken))
            {
                Mark(id);
            }

            _loaded = true;
        }
        finally
        {
            _loading.Release();
        }
    }
}
