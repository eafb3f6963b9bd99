using Microsoft.Extensions.DependencyInjection;
using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Repository;

namespace Otter.Server.Tests.Releases;

/// <summary>The server keeps timestamp and snapshot from expiring.</summary>
public sealed class MetadataRefresherTests
{
    [Fact]
    public async Task RefreshIfDue_TimestampPastHalfItsLife_ResignedAndAudited()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ServerFixture.StartAsync(time: clock);
        var repository = Path.Combine(server.DataDirectory, "repo");
        var before = Timestamp(repository, clock);

        clock.Advance(TimeSpan.FromHours(13));
        var refreshed = await server.Services.GetRequiredService<Otter.Server.Repository.MetadataRefresher>().RefreshIfDueAsync(CancellationToken.None);

        Assert.True(refreshed);
        var after = Timestamp(repository, clock);
        Assert.Equal(before.MetadataVersion + 1, after.MetadataVersion);
        Assert.True(after.MetadataExpires > before.MetadataExpires.AddHours(12));
    }

    [Fact]
    public async Task RefreshIfDue_FreshMetadata_NothingSigned()
    {
        await using var server = await ServerFixture.StartAsync();

        var refreshed = await server.Services.GetRequiredService<Otter.Server.Repository.MetadataRefresher>().RefreshIfDueAsync(CancellationToken.None);

        Assert.False(refreshed);
    }

    private static RoleStatus Timestamp(string repository, TimeProvider clock) =>
        new TufRepository(clock).Status(repository).Roles.Single(r => r.Role == TufRoles.Timestamp);
}
