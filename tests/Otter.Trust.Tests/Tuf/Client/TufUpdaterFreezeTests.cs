using Otter.Trust.Tuf;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Threat: freeze — expired metadata served forever, the cached root included.</summary>
public sealed class TufUpdaterFreezeTests
{
    [Fact]
    public async Task RefreshAsync_TimestampServedPastExpiry_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Time.Advance(TimeSpan.FromDays(1));

        var ex = await Assert.ThrowsAsync<ExpiredMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("timestamp.json (version 1) expired at 2026-01-02T00:00:00Z", ex.Message, StringComparison.Ordinal);
        Assert.Contains("otter repo refresh", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task RefreshAsync_NewButExpiredTimestamp_RejectedAndNothingStored()
    {
        using var sim = new RepositorySimulator();
        sim.Time.Advance(TimeSpan.FromDays(1));
        var store = sim.CreateStore();
        var updater = sim.CreateUpdater(store);

        var ex = await Assert.ThrowsAsync<ExpiredMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Equal("timestamp.json expired at 2026-01-02T00:00:00Z; the repository must be refreshed (`otter repo refresh`) — nothing was trusted from it.", ex.Message);
        Assert.Equal(["root"], store.Roles);
        Assert.Null(updater.TrustedTimestamp);
    }

    [Fact]
    public async Task RefreshAsync_SnapshotServedPastExpiry_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Time.Advance(TimeSpan.FromDays(31));
        sim.Timestamp = sim.Timestamp with { Expires = sim.Time.GetUtcNow().AddDays(1) };
        sim.Bump(TufRoles.Timestamp);

        var ex = await Assert.ThrowsAsync<ExpiredMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("1.snapshot.json expired at 2026-01-31T00:00:00Z", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TufRoles.Timestamp);
    }

    [Fact]
    public async Task RefreshAsync_TargetsServedPastExpiry_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Time.Advance(TimeSpan.FromDays(91));
        sim.Timestamp = sim.Timestamp with { Expires = sim.Time.GetUtcNow().AddDays(1) };
        sim.Snapshot = sim.Snapshot with { Expires = sim.Time.GetUtcNow().AddDays(7) };
        sim.Bump(TufRoles.Snapshot);

        var ex = await Assert.ThrowsAsync<ExpiredMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("1.targets.json expired at 2026-04-01T00:00:00Z", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TufRoles.Timestamp, TufRoles.Snapshot);
    }

    [Fact]
    public async Task RefreshAsync_CachedRootExpiredAndNoNewerRoot_RejectedBeforeAnythingElse()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Time.Advance(TimeSpan.FromDays(366));
        sim.FetchLog.Clear();

        var ex = await Assert.ThrowsAsync<ExpiredMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("the trusted root (version 1) expired at 2027-01-01T00:00:00Z", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["meta:2.root.json"], sim.FetchLog);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task RefreshAsync_CachedRootExpiredNewUpdater_Rejected()
    {
        using var sim = new RepositorySimulator();
        var store = sim.CreateStore();
        sim.Time.Advance(TimeSpan.FromDays(400));

        await Assert.ThrowsAsync<ExpiredMetadataException>(() => sim.CreateUpdater(store).RefreshAsync(CancellationToken.None));

        Assert.Equal(["root"], store.Roles);
    }

    [Fact]
    public async Task RefreshAsync_CachedRootExpiredButNewerRootPublished_Recovers()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        sim.Time.Advance(TimeSpan.FromDays(366));
        var now = sim.Time.GetUtcNow();
        sim.Root = sim.Root with { Expires = now.AddDays(365) };
        sim.Bump(TufRoles.Root);
        sim.Timestamp = sim.Timestamp with { Expires = now.AddDays(1) };
        sim.Snapshot = sim.Snapshot with { Expires = now.AddDays(30) };
        sim.Targets = sim.Targets with { Expires = now.AddDays(90) };
        sim.Bump(TufRoles.Targets);

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, updater.TrustedRoot!.Signed.Version);
        Assert.Equal(2, updater.TrustedTargets!.Signed.Version);
    }

    [Fact]
    public async Task RefreshAsync_ExpiredIntermediateRoot_ChainStillFollowed()
    {
        using var sim = new RepositorySimulator();
        var store = sim.CreateStore();
        sim.Root = sim.Root with { Expires = RepositorySimulator.Start.AddHours(1) };
        sim.Bump(TufRoles.Root);
        sim.Root = sim.Root with { Expires = RepositorySimulator.Start.AddDays(365) };
        sim.Bump(TufRoles.Root);
        sim.Time.Advance(TimeSpan.FromHours(2));
        var updater = sim.CreateUpdater(store);

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(3, updater.TrustedRoot!.Signed.Version);
    }

    [Fact]
    public async Task RefreshAsync_ChainEndsOnExpiredRoot_RootPersistedButRejected()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Root = sim.Root with { Expires = RepositorySimulator.Start.AddHours(1) };
        sim.Bump(TufRoles.Root);
        sim.Time.Advance(TimeSpan.FromHours(2));

        var ex = await Assert.ThrowsAsync<ExpiredMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("the trusted root (version 2) expired", ex.Message, StringComparison.Ordinal);
        Assert.Equal(sim.MetadataFiles["2.root.json"], await TestData.StoredAsync(store, TufRoles.Root));
        before.AssertUnchanged(store, updater, TufRoles.Root);
    }
}
