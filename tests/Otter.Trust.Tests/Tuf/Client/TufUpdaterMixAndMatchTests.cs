using Otter.Trust.Tuf;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Threat: mix-and-match — snapshot or targets that do not match what their parent says.</summary>
public sealed class TufUpdaterMixAndMatchTests
{
    [Fact]
    public async Task RefreshAsync_SnapshotVersionNotTheOneTimestampNames_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator { TimestampMetaHashes = false };
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        var old = sim.MetadataFiles["1.snapshot.json"];
        sim.Bump(TufRoles.Snapshot);
        sim.MetadataFiles["2.snapshot.json"] = old;

        var ex = await Assert.ThrowsAsync<MetadataMismatchException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("2.snapshot.json is snapshot version 1 but timestamp.json (version 2) names version 2", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TufRoles.Timestamp);
    }

    [Fact]
    public async Task RefreshAsync_TargetsVersionNotTheOneSnapshotNames_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator { SnapshotMetaHashes = false };
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Targets = sim.Targets with { Version = 5 };
        sim.PublishTargetsRole(TufRoles.Targets);
        sim.Bump(TufRoles.Snapshot);
        sim.MetadataFiles["5.targets.json"] = sim.MetadataFiles["1.targets.json"];

        await Assert.ThrowsAsync<MetadataMismatchException>(() => updater.RefreshAsync(CancellationToken.None));

        before.AssertUnchanged(store, updater, TufRoles.Timestamp, TufRoles.Snapshot);
    }

    [Theory]
    [InlineData(TufRoles.Snapshot, false)]
    [InlineData(TufRoles.Snapshot, true)]
    [InlineData(TufRoles.Targets, false)]
    [InlineData(TufRoles.Targets, true)]
    public async Task RefreshAsync_BytesNotMatchingParentMeta_RejectedAndTrustedStateUnchanged(string role, bool sameLength)
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Bump(role);
        var fileName = sim.FileNameOf(role);
        if (sameLength)
        {
            sim.TamperWhitespace(fileName);
        }
        else
        {
            sim.MetadataFiles[fileName] = [.. sim.MetadataFiles[fileName].SkipLast(1)];
        }

        var ex = await Assert.ThrowsAsync<LengthOrHashMismatchException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains(sameLength ? "sha256 hash" : "bytes but", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TestData.AcceptedBefore(role));
    }

    [Fact]
    public async Task RefreshAsync_ParentMetaListsOnlyUnknownHashAlgorithm_Rejected()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Snapshot = sim.Snapshot with { Version = 2 };
        sim.PublishSnapshot();
        sim.Timestamp = sim.Timestamp with { Version = 2 };
        sim.PublishTimestamp(edit: t => t with
        {
            Meta = new Dictionary<string, MetaFile>
            {
                ["snapshot.json"] = new() { Version = 2, Hashes = new Dictionary<string, string> { ["md5"] = "0123456789abcdef0123456789abcdef" } },
            },
        });

        var ex = await Assert.ThrowsAsync<LengthOrHashMismatchException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("only hashes Otter cannot check (md5)", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TufRoles.Timestamp);
    }

    [Fact]
    public async Task RefreshAsync_SnapshotWithoutTargetsEntry_Rejected()
    {
        using var sim = new RepositorySimulator();
        var store = sim.CreateStore();
        sim.Snapshot = sim.Snapshot with { Version = 2 };
        sim.PublishSnapshot(edit: s => s with { Meta = new Dictionary<string, MetaFile>() });
        sim.Bump(TufRoles.Timestamp);
        var updater = sim.CreateUpdater(store);

        var ex = await Assert.ThrowsAsync<MetadataMismatchException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("does not list targets.json", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["root", "snapshot", "timestamp"], store.Roles);
        Assert.Null(updater.TrustedTargets);
    }

    [Fact]
    public async Task RefreshAsync_TimestampFileServedAsSnapshot_RejectedAsWrongType()
    {
        using var sim = new RepositorySimulator { TimestampMetaHashes = false };
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Bump(TufRoles.Snapshot);
        sim.MetadataFiles["2.snapshot.json"] = sim.MetadataFiles["timestamp.json"];

        var ex = await Assert.ThrowsAsync<MalformedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("is timestamp metadata where snapshot metadata was expected", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TufRoles.Timestamp);
    }
}
