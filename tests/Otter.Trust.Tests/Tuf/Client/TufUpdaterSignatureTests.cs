using Otter.Trust.Keys;
using Otter.Trust.Tuf;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Threat: unsigned, wrongly signed or below-threshold metadata; duplicate signatures and key ids.</summary>
public sealed class TufUpdaterSignatureTests
{
    [Theory]
    [MemberData(nameof(TestData.TopLevelRoles), MemberType = typeof(TestData))]
    public async Task RefreshAsync_UnsignedMetadata_RejectedAndTrustedStateUnchanged(string role)
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Bump(role, []);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("0 valid signature(s)", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TestData.AcceptedBefore(role));
    }

    [Theory]
    [MemberData(nameof(TestData.TopLevelRoles), MemberType = typeof(TestData))]
    public async Task RefreshAsync_SignedByUnknownKey_RejectedAndTrustedStateUnchanged(string role)
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Bump(role, [sim.NewSigner("attacker")]);

        await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        before.AssertUnchanged(store, updater, TestData.AcceptedBefore(role));
    }

    [Theory]
    [MemberData(nameof(TestData.OnlineRoles), MemberType = typeof(TestData))]
    public async Task RefreshAsync_SignedByAnotherRolesKey_RejectedAndTrustedStateUnchanged(string role)
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Bump(role, sim.Signers[TufRoles.Root]);

        await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        before.AssertUnchanged(store, updater, TestData.AcceptedBefore(role));
    }

    [Theory]
    [MemberData(nameof(TestData.TopLevelRoles), MemberType = typeof(TestData))]
    public async Task RefreshAsync_ContentChangedAfterSigning_RejectedAndTrustedStateUnchanged(string role)
    {
        using var sim = new RepositorySimulator { SnapshotMetaHashes = false, TimestampMetaHashes = false };
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Bump(role);
        sim.TamperSigned(sim.FileNameOf(role));

        await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        before.AssertUnchanged(store, updater, TestData.AcceptedBefore(role));
    }

    [Theory]
    [MemberData(nameof(TestData.TopLevelRoles), MemberType = typeof(TestData))]
    public async Task RefreshAsync_BelowThreshold_RejectedAndTrustedStateUnchanged(string role)
    {
        using var sim = new RepositorySimulator(threshold: 2);
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        sim.Bump(role, [sim.Signers[role][0]]);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("1 valid signature(s)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 needed", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TestData.AcceptedBefore(role));
    }

    [Theory]
    [MemberData(nameof(TestData.TopLevelRoles), MemberType = typeof(TestData))]
    public async Task RefreshAsync_AtThreshold_Accepted(string role)
    {
        using var sim = new RepositorySimulator(threshold: 2);
        var (store, updater) = await TestData.RefreshedAsync(sim);
        sim.Bump(role);

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(sim.MetadataFiles[sim.FileNameOf(role)], await TestData.StoredAsync(store, role));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RefreshAsync_OneKeysSignatureRepeated_CountedOnce(bool freshSignature)
    {
        using var sim = new RepositorySimulator(threshold: 2);
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        var signer = sim.Signers[TufRoles.Timestamp][0];
        sim.Bump(TufRoles.Timestamp, [signer]);
        sim.DuplicateSignature("timestamp.json", freshSignature ? signer : null);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("1 valid signature(s)", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task RefreshAsync_RepeatedSignatureAboveThreshold_StillAccepted()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        sim.Bump(TufRoles.Timestamp);
        sim.DuplicateSignature("timestamp.json");

        await updater.RefreshAsync(CancellationToken.None);

        Assert.Equal(2, updater.TrustedTimestamp!.Signed.Version);
    }

    [Fact]
    public async Task RefreshAsync_TimestampKeyListedUnderTwoKeyIds_CountedOnce()
    {
        using var sim = new RepositorySimulator();
        var store = sim.CreateStore();
        var updater = sim.CreateUpdater(store);
        var signer = sim.Signers[TufRoles.Timestamp][0];
        var alias = Alias(signer);
        sim.SetRoleKeys(TufRoles.Timestamp, [signer, alias], threshold: 2);
        sim.Bump(TufRoles.Root);
        sim.Bump(TufRoles.Timestamp, [signer, alias]);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("timestamp.json has 1 valid signature(s)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, updater.TrustedRoot!.Signed.Version);
        Assert.Null(updater.TrustedTimestamp);
        Assert.Equal(["root"], store.Roles);
    }

    [Fact]
    public async Task RefreshAsync_RootKeyListedUnderTwoKeyIds_CountedOnce()
    {
        using var sim = new RepositorySimulator();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);
        var signer = sim.Signers[TufRoles.Root][0];
        var alias = Alias(signer);
        sim.SetRoleKeys(TufRoles.Root, [signer, alias], threshold: 2);
        sim.Bump(TufRoles.Root, [signer, alias]);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("2.root.json has 1 valid signature(s)", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    private static AliasSigner Alias(ISigner signer)
    {
        var key = signer.PublicKey with { KeyType = TufKey.EcdsaP256KeyTypeAlias };
        return new AliasSigner(signer, key, KeyIds.Compute(key));
    }
}
