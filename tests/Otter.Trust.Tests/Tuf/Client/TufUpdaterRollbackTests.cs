using Otter.Trust.Tuf;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Threat: rollback of timestamp, snapshot or targets versions.</summary>
public sealed class TufUpdaterRollbackTests
{
    [Fact]
    public async Task RefreshAsync_OlderTimestampServed_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        var old = sim.MetadataFiles["timestamp.json"];
        sim.Bump(TufRoles.Timestamp);
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.MetadataFiles["timestamp.json"] = old;

        var ex = await Assert.ThrowsAsync<RollbackException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("timestamp.json has version 1 but version 2 is already trusted", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task RefreshAsync_OlderTimestampServedToNewUpdater_RejectedUsingStoredTimestamp()
    {
        using var sim = new RepositorySimulator();
        var old = sim.MetadataFiles["timestamp.json"];
        sim.Bump(TufRoles.Timestamp);
        var (store, _) = await TestData.RefreshedAsync(sim);
        var stored = store.CopyContents();
        sim.MetadataFiles["timestamp.json"] = old;
        var updater = sim.CreateUpdater(store);

        await Assert.ThrowsAsync<RollbackException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Equal(stored, store.CopyContents());
        Assert.Equal(2, updater.TrustedTimestamp!.Signed.Version);
    }

    [Fact]
    public async Task RefreshAsync_SameTimestampVersion_KeepsTrustedOne()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.PublishTimestamp(edit: t => t with { Expires = t.Expires.AddHours(1) });

        await updater.RefreshAsync(CancellationToken.None);

        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task RefreshAsync_TimestampNamesOlderSnapshot_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        sim.Bump(TufRoles.Snapshot);
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Timestamp = sim.Timestamp with { Version = sim.Timestamp.Version + 1 };
        sim.PublishTimestamp(edit: t => t with { Meta = new Dictionary<string, MetaFile> { ["snapshot.json"] = new() { Version = 1 } } });

        var ex = await Assert.ThrowsAsync<RollbackException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("names snapshot version 1 but snapshot version 2 is already trusted", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task RefreshAsync_SnapshotOlderThanStoredSnapshot_RejectedAndStoreUnchanged()
    {
        // The stored timestamp is gone (as after a timestamp key rotation); the stored snapshot
        // still guards against an older snapshot that a new timestamp names.
        using var sim = new RepositorySimulator();
        var oldSnapshotTimestamp = sim.Timestamp;
        sim.Bump(TufRoles.Snapshot);
        var (store, _) = await TestData.RefreshedAsync(sim);
        await store.DeleteAsync(TufRoles.Timestamp, CancellationToken.None);
        var before = store.CopyContents();
        sim.Timestamp = oldSnapshotTimestamp with { Version = sim.Timestamp.Version + 1 };
        sim.PublishTimestamp(edit: t => t with { Meta = new Dictionary<string, MetaFile> { ["snapshot.json"] = new() { Version = 1 } } });
        var updater = sim.CreateUpdater(store);

        var ex = await Assert.ThrowsAsync<RollbackException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("1.snapshot.json has version 1 but snapshot version 2 is already trusted", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before.Keys.Append(TufRoles.Timestamp).Order(StringComparer.Ordinal), store.Roles);
        Assert.Equal(before[TufRoles.Snapshot], await TestData.StoredAsync(store, TufRoles.Snapshot));
        Assert.Equal(before[TufRoles.Targets], await TestData.StoredAsync(store, TufRoles.Targets));
        Assert.Equal(2, updater.TrustedSnapshot!.Signed.Version);
    }

    [Fact]
    public async Task RefreshAsync_SnapshotListsOlderTargetsVersion_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        sim.Bump(TufRoles.Targets);
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Snapshot = sim.Snapshot with { Version = sim.Snapshot.Version + 1 };
        sim.PublishSnapshot(edit: s => s with
        {
            Meta = new Dictionary<string, MetaFile> { ["targets.json"] = new() { Version = 1 } },
        });
        sim.Bump(TufRoles.Timestamp);

        var ex = await Assert.ThrowsAsync<RollbackException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("lists targets.json at version 1, older than version 2", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TufRoles.Timestamp);
        Assert.Equal(sim.MetadataFiles["timestamp.json"], await TestData.StoredAsync(store, TufRoles.Timestamp));
    }

    [Fact]
    public async Task RefreshAsync_SnapshotDropsDelegatedRole_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.Commit();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Snapshot = sim.Snapshot with { Version = sim.Snapshot.Version + 1 };
        sim.PublishSnapshot(edit: s => s with
        {
            Meta = s.Meta.Where(m => m.Key != "apps.json").ToDictionary(m => m.Key, m => m.Value),
        });
        sim.Bump(TufRoles.Timestamp);

        var ex = await Assert.ThrowsAsync<RollbackException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("no longer lists apps.json", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TufRoles.Timestamp);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RefreshAsync_OldTargetsServedForNewVersion_RejectedAndTrustedStateUnchanged(bool consistentSnapshot)
    {
        using var sim = new RepositorySimulator(consistentSnapshot) { SnapshotMetaHashes = false };
        sim.Bump(TufRoles.Targets);
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        var old = sim.MetadataFiles[sim.FileNameOf(TufRoles.Targets)];
        sim.Bump(TufRoles.Targets);
        sim.MetadataFiles[sim.FileNameOf(TufRoles.Targets)] = old;

        var ex = await Assert.ThrowsAsync<MetadataMismatchException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("is targets version 2 but snapshot.json (version 3) names version 3", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TestData.AcceptedBefore(TufRoles.Targets));
        Assert.Equal(2, updater.TrustedTargets!.Signed.Version);
    }
}
