using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

public sealed class TufUpdaterRefreshTests
{
    [Fact]
    public async Task RefreshAsync_FreshRepository_TrustsAndPersistsEveryTopLevelRole()
    {
        using var sim = new RepositorySimulator();
        var store = sim.CreateStore();
        var updater = sim.CreateUpdater(store);

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(1, updater.TrustedRoot!.Signed.Version);
        Assert.Equal(1, updater.TrustedTimestamp!.Signed.Version);
        Assert.Equal(1, updater.TrustedSnapshot!.Signed.Version);
        Assert.Equal(1, updater.TrustedTargets!.Signed.Version);
        Assert.Equal(["root", "snapshot", "targets", "timestamp"], store.Roles);
        Assert.Equal(sim.MetadataFiles["timestamp.json"], await store.ReadAsync("timestamp", CancellationToken.None));
        Assert.Equal(sim.MetadataFiles["1.snapshot.json"], await store.ReadAsync("snapshot", CancellationToken.None));
        Assert.Equal(sim.MetadataFiles["1.targets.json"], await store.ReadAsync("targets", CancellationToken.None));
        Assert.Equal(["meta:2.root.json", "meta:timestamp.json", "meta:1.snapshot.json", "meta:1.targets.json"], sim.FetchLog);
    }

    [Fact]
    public async Task RefreshAsync_StoreWithoutRoot_ThrowsProvisionMessage()
    {
        using var sim = new RepositorySimulator();
        var store = new InMemoryTrustedMetadataStore();
        var updater = sim.CreateUpdater(store);

        var ex = await Assert.ThrowsAsync<TufException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("no trusted root", ex.Message, StringComparison.Ordinal);
        Assert.Contains("provision", ex.Message, StringComparison.Ordinal);
        Assert.Empty(sim.FetchLog);
        Assert.Empty(store.Roles);
    }

    [Fact]
    public async Task RefreshAsync_StoredRootNotSignedByItsOwnKeys_Rejected()
    {
        using var sim = new RepositorySimulator();
        var store = new InMemoryTrustedMetadataStore();
        await store.WriteAsync("root", sim.PublishRoot([sim.NewSigner("stranger")]), CancellationToken.None);
        var updater = sim.CreateUpdater(store);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("trusted metadata store", ex.Message, StringComparison.Ordinal);
        Assert.Empty(sim.FetchLog);
    }

    [Fact]
    public async Task RefreshAsync_NewVersionsPublished_TrustsLatest()
    {
        using var sim = new RepositorySimulator();
        var store = sim.CreateStore();
        await sim.CreateUpdater(store).RefreshAsync(CancellationToken.None);
        sim.AddTarget("fw/image.bin", TestData.Bytes("image v2"));
        sim.Commit();
        var updater = sim.CreateUpdater(store);

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, updater.TrustedTimestamp!.Signed.Version);
        Assert.Equal(2, updater.TrustedSnapshot!.Signed.Version);
        Assert.Equal(2, updater.TrustedTargets!.Signed.Version);
        Assert.Equal(sim.MetadataFiles["2.targets.json"], await store.ReadAsync("targets", CancellationToken.None));
    }

    [Fact]
    public async Task RefreshAsync_NothingChanged_FetchesOnlyNextRootAndTimestamp()
    {
        using var sim = new RepositorySimulator();
        var store = sim.CreateStore();
        await sim.CreateUpdater(store).RefreshAsync(CancellationToken.None);
        sim.FetchLog.Clear();
        var updater = sim.CreateUpdater(store);

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(["meta:2.root.json", "meta:timestamp.json"], sim.FetchLog);
        Assert.Equal(1, updater.TrustedTargets!.Signed.Version);
    }

    [Fact]
    public async Task RefreshAsync_SameInstanceTwice_SecondRefreshSeesNewVersions()
    {
        using var sim = new RepositorySimulator();
        var store = sim.CreateStore();
        var updater = sim.CreateUpdater(store);
        await updater.RefreshAsync(CancellationToken.None);
        sim.AddTarget("a.bin", TestData.Bytes("a"));
        sim.Commit();

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, updater.TrustedTargets!.Signed.Version);
        Assert.Equal("a.bin", (await updater.GetTargetInfoAsync("a.bin", CancellationToken.None)).Path);
    }

    [Fact]
    public async Task RefreshAsync_NoConsistentSnapshot_FetchesPlainFileNames()
    {
        using var sim = new RepositorySimulator(consistentSnapshot: false);
        var content = TestData.Bytes("plain");
        sim.AddTarget("dir/plain.bin", content);
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        var target = await updater.GetTargetInfoAsync("dir/plain.bin", CancellationToken.None);
        var downloaded = await TestData.DownloadAsync(updater, target);

        Assert.Equal(content, downloaded);
        Assert.Equal(["meta:2.root.json", "meta:timestamp.json", "meta:snapshot.json", "meta:targets.json", "target:dir/plain.bin"], sim.FetchLog);
    }

    [Fact]
    public async Task RefreshAsync_MetaWithoutHashesOrLengths_UsesConfiguredCaps()
    {
        using var sim = new RepositorySimulator { SnapshotMetaHashes = false, TimestampMetaHashes = false };
        sim.AddTarget("a.bin", TestData.Bytes("a"));
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, updater.TrustedTargets!.Signed.Version);
    }

    [Fact]
    public async Task RefreshAsync_Sha512OnlyInMeta_Verified()
    {
        using var sim = new RepositorySimulator();
        sim.PublishTimestamp(edit: t => t with
        {
            Meta = new Dictionary<string, MetaFile>
            {
                ["snapshot.json"] = new()
                {
                    Version = 1,
                    Hashes = new Dictionary<string, string>
                    {
                        ["sha512"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(sim.MetadataFiles["1.snapshot.json"])),
                        ["blake9"] = "00",
                    },
                },
            },
        });
        var updater = sim.CreateUpdater(sim.CreateStore());

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(1, updater.TrustedSnapshot!.Signed.Version);
    }

    [Fact]
    public void Constructor_NonPositiveLimit_Throws()
    {
        using var sim = new RepositorySimulator();

        var ex = Assert.Throws<ArgumentException>(() => sim.CreateUpdater(sim.CreateStore(), new TufClientOptions { MaxTimestampLength = 0 }));

        Assert.Contains("MaxTimestampLength", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTargetInfoAsync_NotRefreshed_RefreshesAndFindsTopLevelTarget()
    {
        using var sim = new RepositorySimulator();
        var file = sim.AddTarget("fw/image.bin", TestData.Bytes("image"));
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        var target = await updater.GetTargetInfoAsync("fw/image.bin", CancellationToken.None);

        Assert.Equal("fw/image.bin", target.Path);
        Assert.Equal("targets", target.Role);
        Assert.Equal(file.Length, target.File.Length);
        Assert.Equal(file.Hashes, target.File.Hashes);
    }

    [Fact]
    public async Task GetTargetInfoAsync_UnknownPath_ThrowsTargetNotFound()
    {
        using var sim = new RepositorySimulator();
        sim.AddTarget("fw/image.bin", TestData.Bytes("image"));
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        var ex = await Assert.ThrowsAsync<TargetNotFoundException>(() => updater.GetTargetInfoAsync("fw/other.bin", CancellationToken.None));

        Assert.Contains("fw/other.bin", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTargetInfoAsync_MetadataExpiredSinceRefresh_RefreshesAgain()
    {
        using var sim = new RepositorySimulator();
        sim.AddTarget("a.bin", TestData.Bytes("a"));
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());
        await updater.RefreshAsync(CancellationToken.None);
        sim.Time.Advance(TimeSpan.FromDays(2));
        sim.Timestamp = sim.Timestamp with { Expires = sim.Time.GetUtcNow().AddDays(1) };
        sim.Bump(TufRoles.Timestamp);

        var target = await updater.GetTargetInfoAsync("a.bin", CancellationToken.None);

        Assert.Equal("a.bin", target.Path);
        Assert.Equal(sim.Timestamp.Version, updater.TrustedTimestamp!.Signed.Version);
    }

    [Fact]
    public async Task DownloadTargetAsync_ConsistentSnapshot_FetchesHashPrefixedPathAndWritesExactBytes()
    {
        using var sim = new RepositorySimulator();
        var content = TestData.Bytes("firmware image bytes");
        sim.AddTarget("fw/image.bin", content);
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());
        var target = await updater.GetTargetInfoAsync("fw/image.bin", CancellationToken.None);

        var downloaded = await TestData.DownloadAsync(updater, target);

        Assert.Equal(content, downloaded);
        Assert.Equal("target:" + sim.ServedPathOf("fw/image.bin", content), sim.FetchLog[^1]);
        Assert.StartsWith("target:fw/", sim.FetchLog[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnumerateTargetsAsync_TopLevelTargets_ListsEachOnce()
    {
        using var sim = new RepositorySimulator();
        sim.AddTarget("b.bin", TestData.Bytes("b"));
        sim.AddTarget("a.bin", TestData.Bytes("a"));
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        var paths = new List<string>();
        await foreach (var target in updater.EnumerateTargetsAsync(CancellationToken.None))
        {
            paths.Add(target.Path);
        }

        Assert.Equal(["a.bin", "b.bin"], paths);
    }
}
