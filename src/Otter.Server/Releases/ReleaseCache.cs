using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otter.Server.Data;

namespace Otter.Server.Releases;

/// <summary>Published releases never change, so the check-in path reads them from memory after the first time.</summary>
internal sealed class ReleaseCache(IServiceScopeFactory scopes)
{
    private readonly ConcurrentDictionary<string, ReleaseRow> _releases = new(StringComparer.Ordinal);

    public async ValueTask<ReleaseRow?> FindAsync(string name, CancellationToken cancellationToken)
    {
        if (_releases.TryGetValue(name, out var cached))
        {
            return cached;
        }

        await using var scope = scopes.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<OtterDbContext>().Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Name == name, cancellationToken);

        // Only found ones are kept: a name not published yet may be published later.
        return row is null ? null : _releases.GetOrAdd(name, row);
    }
}
