using Otter.Trust.Tuf;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Threat: a compromised online key is replaced by a root-signed rotation; its signatures stop verifying.</summary>
public sealed class TufUpdaterKeyCompromiseTests
{
    [Fact]
    public async Task RefreshAsync_TargetsKeyRotated_OldKeyStopsVerifyingNewKeyVerifies()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var compromised = sim.Signers[TufRoles.Targets][0];
        sim.RotateKeys(TufRoles.Targets);
        sim.AddTarget("evil.bin", TestData.Bytes("malware"));
        sim.Bump(TufRoles.Targets, [compromised]);
        var before = TrustedState.Capture(store, updater);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("from the trusted root's targets keys", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, updater.TrustedRoot!.Signed.Version);
        Assert.Null(updater.TrustedTargets); // signed by the old key, no longer trusted under root version 2
        Assert.Equal(before.Store[TufRoles.Targets], await TestData.StoredAsync(store, TufRoles.Targets));
        await Assert.ThrowsAnyAsync<TufException>(() => updater.GetTargetInfoAsync("evil.bin", CancellationToken.None));

        sim.Bump(TufRoles.Targets);
        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(sim.Targets.Version, updater.TrustedTargets!.Signed.Version);
        Assert.Equal("evil.bin", (await updater.GetTargetInfoAsync("evil.bin", CancellationToken.None)).Path);
    }

    [Fact]
    public async Task RefreshAsync_TimestampKeyRotated_OldKeyStopsVerifyingAndCachedTimestampDropped()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var compromised = sim.Signers[TufRoles.Timestamp][0];
        sim.RotateKeys(TufRoles.Timestamp);
        sim.Bump(TufRoles.Timestamp, [compromised]);

        await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Equal(["root", "targets"], store.Roles);
        Assert.Null(updater.TrustedTimestamp);
        Assert.Null(updater.TrustedSnapshot);

        sim.Bump(TufRoles.Timestamp);
        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(sim.Timestamp.Version, updater.TrustedTimestamp!.Signed.Version);
    }

    [Fact]
    public async Task RefreshAsync_TimestampFastForwardedByCompromisedKey_RecoversAfterRotation()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var honest = sim.Timestamp;
        sim.Timestamp = sim.Timestamp with { Version = 1000 };
        sim.PublishTimestamp();
        await updater.RefreshAsync(CancellationToken.None);
        Assert.Equal(1000, updater.TrustedTimestamp!.Signed.Version);

        sim.RotateKeys(TufRoles.Timestamp);
        sim.Timestamp = honest with { Version = 2 };
        sim.PublishTimestamp();
        var fresh = sim.CreateUpdater(store);
        await fresh.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, fresh.TrustedTimestamp!.Signed.Version);
        Assert.Equal(sim.MetadataFiles["timestamp.json"], await TestData.StoredAsync(store, TufRoles.Timestamp));
    }

    [Fact]
    public async Task RefreshAsync_SnapshotFastForwardedByCompromisedKeys_RecoversAfterRotation()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        sim.Snapshot = sim.Snapshot with { Version = 999 };
        sim.PublishSnapshot(edit: s => s with
        {
            Meta = new Dictionary<string, MetaFile> { ["targets.json"] = new() { Version = 1 } },
        });
        sim.Timestamp = sim.Timestamp with { Version = 999 };
        sim.PublishTimestamp();
        await updater.RefreshAsync(CancellationToken.None);
        Assert.Equal(999, updater.TrustedSnapshot!.Signed.Version);

        sim.RotateKeys(TufRoles.Snapshot);
        sim.Snapshot = sim.Snapshot with { Version = 2 };
        sim.Targets = sim.Targets with { Version = 2 };
        sim.PublishTargetsRole(TufRoles.Targets);
        sim.PublishSnapshot();
        sim.Timestamp = sim.Timestamp with { Version = 2 };
        sim.PublishTimestamp();
        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, updater.TrustedSnapshot!.Signed.Version);
        Assert.Equal(2, updater.TrustedTargets!.Signed.Version);
        Assert.Equal(sim.MetadataFiles["2.snapshot.json"], await TestData.StoredAsync(store, TufRoles.Snapshot));
    }

    [Fact]
    public async Task RefreshAsync_SnapshotKeyRotated_OldKeyStopsVerifying()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var compromised = sim.Signers[TufRoles.Snapshot][0];
        sim.RotateKeys(TufRoles.Snapshot);
        sim.Bump(TufRoles.Snapshot, [compromised]);

        await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Null(updater.TrustedSnapshot);
        Assert.Equal(["root", "targets", "timestamp"], store.Roles);

        sim.Bump(TufRoles.Snapshot);
        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(sim.Snapshot.Version, updater.TrustedSnapshot!.Signed.Version);
    }
}
