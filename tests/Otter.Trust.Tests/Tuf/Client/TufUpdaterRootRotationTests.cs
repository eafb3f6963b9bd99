using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Threat: root key rotation — new root verified by old and new threshold, version +1 only.</summary>
public sealed class TufUpdaterRootRotationTests
{
    [Fact]
    public async Task RefreshAsync_RootKeysRotatedSignedByOldAndNew_AcceptedAndPersisted()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        sim.RotateKeys(TufRoles.Root);

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, updater.TrustedRoot!.Signed.Version);
        Assert.Equal(sim.MetadataFiles["2.root.json"], await TestData.StoredAsync(store, TufRoles.Root));
    }

    [Fact]
    public async Task RefreshAsync_NewRootSignedOnlyByNewKeys_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        var fresh = sim.NewSigner("new-root");
        sim.SetRoleKeys(TufRoles.Root, [fresh]);
        sim.Bump(TufRoles.Root, [fresh]);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("2.root.json has 0 valid signature(s) from the trusted root (version 1)'s root keys", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task RefreshAsync_NewRootSignedOnlyByOldKeys_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        var old = sim.Signers[TufRoles.Root].ToList();
        sim.SetRoleKeys(TufRoles.Root, [sim.NewSigner("new-root")]);
        sim.Bump(TufRoles.Root, old);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("2.root.json has 0 valid signature(s) from its own root keys", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task RefreshAsync_RootVersionSkipped_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Root = sim.Root with { Version = 3 };
        sim.MetadataFiles["2.root.json"] = sim.PublishRoot();

        var ex = await Assert.ThrowsAsync<RollbackException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("2.root.json has version 3 where version 2 was expected", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task RefreshAsync_RootSameVersionAgain_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Root = sim.Root with { Expires = sim.Root.Expires.AddDays(1) };
        sim.MetadataFiles["2.root.json"] = sim.PublishRoot();

        var ex = await Assert.ThrowsAsync<RollbackException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("2.root.json has version 1 where version 2 was expected", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task RefreshAsync_RotationChainOfSeveralVersions_FollowsEachToTheLatest()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        sim.RotateKeys(TufRoles.Root);
        sim.RotateKeys(TufRoles.Root, count: 3, threshold: 2);
        sim.RotateKeys(TufRoles.Targets);
        sim.RotateKeys(TufRoles.Root, count: 2, threshold: 2);
        sim.Bump(TufRoles.Targets);
        sim.FetchLog.Clear();

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(5, updater.TrustedRoot!.Signed.Version);
        Assert.Equal(["meta:2.root.json", "meta:3.root.json", "meta:4.root.json", "meta:5.root.json", "meta:6.root.json"], sim.FetchLog.Take(5));
        Assert.Equal(sim.MetadataFiles["5.root.json"], await TestData.StoredAsync(store, TufRoles.Root));
        Assert.Equal(2, updater.TrustedTargets!.Signed.Version);
    }

    [Fact]
    public async Task RefreshAsync_ChainLongerThanMaxRootRotations_StopsAtLimitThenContinuesNextTime()
    {
        using var sim = new RepositorySimulator();
        var options = new TufClientOptions { MaxRootRotations = 2 };
        var (store, updater) = await TestData.RefreshedAsync(sim, options);
        for (var i = 0; i < 4; i++)
        {
            sim.RotateKeys(TufRoles.Root);
        }

        await updater.RefreshAsync(CancellationToken.None);
        Assert.Equal(3, updater.TrustedRoot!.Signed.Version);

        await sim.CreateUpdater(store, options).RefreshAsync(CancellationToken.None);
        Assert.Equal(sim.MetadataFiles["5.root.json"], await TestData.StoredAsync(store, TufRoles.Root));
    }

    [Fact]
    public async Task RefreshAsync_GoodRootThenBadRoot_KeepsGoodRootAndRejects()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.RotateKeys(TufRoles.Root);
        sim.Bump(TufRoles.Root, [sim.NewSigner("attacker")]);

        await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Equal(2, updater.TrustedRoot!.Signed.Version);
        Assert.Equal(sim.MetadataFiles["2.root.json"], await TestData.StoredAsync(store, TufRoles.Root));
        before.AssertUnchanged(store, updater, TufRoles.Root);
    }

    [Fact]
    public async Task RefreshAsync_NewRootRaisesThreshold_LaterRootsNeedTheNewThreshold()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var keys = sim.RotateKeys(TufRoles.Root, count: 2, threshold: 2);
        await updater.RefreshAsync(CancellationToken.None);
        var before = TrustedState.Capture(store, updater);
        sim.Bump(TufRoles.Root, [keys[0]]);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("3.root.json has 1 valid signature(s) from the trusted root (version 2)'s root keys, 2 needed", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }
}
