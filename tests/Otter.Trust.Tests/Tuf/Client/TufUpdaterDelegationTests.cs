using System.Security.Cryptography;
using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Delegations: path and hash-prefix matching, priority, terminating roles, cycles, limits, bad roles.</summary>
public sealed class TufUpdaterDelegationTests
{
    [Fact]
    public async Task GetTargetInfoAsync_PathPatternMatches_FoundInDelegatedRoleAndPersisted()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        var file = sim.AddTarget("apps/app.bin", TestData.Bytes("app"), role: "apps");
        sim.Commit();
        var store = sim.CreateStore();
        var updater = sim.CreateUpdater(store);

        var target = await updater.GetTargetInfoAsync("apps/app.bin", CancellationToken.None);

        Assert.Equal("apps", target.Role);
        Assert.Equal(file.Length, target.File.Length);
        Assert.Equal(sim.MetadataFiles["1.apps.json"], await TestData.StoredAsync(store, "apps"));
        Assert.Equal(TestData.Bytes("app"), await TestData.DownloadAsync(updater, target));
    }

    [Fact]
    public async Task GetTargetInfoAsync_DelegatedRoleInStore_NotFetchedAgain()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.AddTarget("apps/app.bin", TestData.Bytes("app"), role: "apps");
        sim.Commit();
        var store = sim.CreateStore();
        await sim.CreateUpdater(store).GetTargetInfoAsync("apps/app.bin", CancellationToken.None);
        sim.FetchLog.Clear();

        var target = await sim.CreateUpdater(store).GetTargetInfoAsync("apps/app.bin", CancellationToken.None);

        Assert.Equal("apps", target.Role);
        Assert.Equal(["meta:2.root.json", "meta:timestamp.json"], sim.FetchLog);
    }

    [Fact]
    public async Task GetTargetInfoAsync_WildcardWouldCrossSlash_RoleNotTrustedForPath()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.AddTarget("apps/sub/app.bin", TestData.Bytes("app"), role: "apps");
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        await Assert.ThrowsAsync<TargetNotFoundException>(() => updater.GetTargetInfoAsync("apps/sub/app.bin", CancellationToken.None));

        Assert.DoesNotContain(sim.FetchLog, f => f.Contains("apps.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetTargetInfoAsync_PathHashPrefixes_FoundInTheRightBin()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "bin-lo", pathHashPrefixes: ["0", "1", "2", "3", "4", "5", "6", "7"]);
        sim.Delegate(TufRoles.Targets, "bin-hi", pathHashPrefixes: ["8", "9", "a", "b", "c", "d", "e", "f"]);
        var paths = Enumerable.Range(0, 8).Select(i => $"models/m{i}.onnx").ToList();
        foreach (var path in paths)
        {
            sim.AddTarget(path, TestData.Bytes(path), role: BinOf(path));
        }

        sim.AddTarget("models/misplaced.onnx", TestData.Bytes("x"), role: BinOf("models/misplaced.onnx") == "bin-lo" ? "bin-hi" : "bin-lo");
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        foreach (var path in paths)
        {
            Assert.Equal(BinOf(path), (await updater.GetTargetInfoAsync(path, CancellationToken.None)).Role);
        }

        await Assert.ThrowsAsync<TargetNotFoundException>(() => updater.GetTargetInfoAsync("models/misplaced.onnx", CancellationToken.None));
    }

    [Fact]
    public async Task GetTargetInfoAsync_TwoRolesListPath_HigherPriorityWins()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "first", paths: ["fw/*"]);
        sim.Delegate(TufRoles.Targets, "second", paths: ["fw/*"]);
        sim.AddTarget("fw/x", TestData.Bytes("from first"), role: "first");
        sim.AddTarget("fw/x", TestData.Bytes("from second!"), role: "second");
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        var target = await updater.GetTargetInfoAsync("fw/x", CancellationToken.None);

        Assert.Equal("first", target.Role);
        Assert.Equal(10, target.File.Length);
    }

    [Theory]
    [InlineData(false, "second")]
    [InlineData(true, null)]
    public async Task GetTargetInfoAsync_TerminatingRoleWithoutTarget_StopsSearch(bool terminating, string? expectedRole)
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "first", paths: ["fw/*"], terminating: terminating);
        sim.Delegate(TufRoles.Targets, "second", paths: ["fw/*"]);
        sim.AddTarget("fw/x", TestData.Bytes("x"), role: "second");
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        if (expectedRole is null)
        {
            await Assert.ThrowsAsync<TargetNotFoundException>(() => updater.GetTargetInfoAsync("fw/x", CancellationToken.None));
            Assert.DoesNotContain(sim.FetchLog, f => f.Contains("second.json", StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal(expectedRole, (await updater.GetTargetInfoAsync("fw/x", CancellationToken.None)).Role);
        }
    }

    [Fact]
    public async Task GetTargetInfoAsync_TerminatingRoleDeeper_AlsoSkipsAncestorsPendingSiblings()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "outer", paths: ["fw/*"]);
        sim.Delegate(TufRoles.Targets, "sibling", paths: ["fw/*"]);
        sim.Delegate("outer", "inner", paths: ["fw/*"], terminating: true);
        sim.AddTarget("fw/x", TestData.Bytes("x"), role: "sibling");
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        await Assert.ThrowsAsync<TargetNotFoundException>(() => updater.GetTargetInfoAsync("fw/x", CancellationToken.None));
    }

    [Fact]
    public async Task GetTargetInfoAsync_TerminatingRoleListingTarget_Found()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "first", paths: ["fw/*"], terminating: true);
        sim.AddTarget("fw/x", TestData.Bytes("x"), role: "first");
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        Assert.Equal("first", (await updater.GetTargetInfoAsync("fw/x", CancellationToken.None)).Role);
    }

    [Fact]
    public async Task GetTargetInfoAsync_DelegationCycle_EachRoleVisitedOnce()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "a", paths: ["*"]);
        sim.Delegate("a", "b", paths: ["*"]);
        sim.Delegate("b", "a", paths: ["*"]);
        sim.Delegate("b", "b", paths: ["*"]);
        sim.AddTarget("in-b", TestData.Bytes("b"), role: "b");
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        Assert.Equal("b", (await updater.GetTargetInfoAsync("in-b", CancellationToken.None)).Role);
        await Assert.ThrowsAsync<TargetNotFoundException>(() => updater.GetTargetInfoAsync("nowhere", CancellationToken.None));
        Assert.Single(sim.FetchLog, f => f.EndsWith(".a.json", StringComparison.Ordinal));
        Assert.Single(sim.FetchLog, f => f.EndsWith(".b.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetTargetInfoAsync_ChainDeeperThanMaxDelegations_StopsAtLimit()
    {
        using var sim = new RepositorySimulator();
        var parent = TufRoles.Targets;
        for (var i = 1; i <= 5; i++)
        {
            sim.Delegate(parent, $"r{i}", paths: ["*"]);
            sim.AddTarget($"at-{i}", TestData.Bytes($"{i}"), role: $"r{i}");
            parent = $"r{i}";
        }

        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore(), new TufClientOptions { MaxDelegations = 4 });

        Assert.Equal("r4", (await updater.GetTargetInfoAsync("at-4", CancellationToken.None)).Role);
        var ex = await Assert.ThrowsAsync<TargetNotFoundException>(() => updater.GetTargetInfoAsync("at-5", CancellationToken.None));

        Assert.Contains("MaxDelegations", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(sim.FetchLog, f => f.Contains("r5.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetTargetInfoAsync_DelegatedRoleWronglySigned_RejectedAndTrustedStateUnchanged()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.AddTarget("apps/app.bin", TestData.Bytes("app"), role: "apps");
        sim.Commit();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        await updater.GetTargetInfoAsync("apps/app.bin", CancellationToken.None);
        sim.AddTarget("apps/evil.bin", TestData.Bytes("evil"), role: "apps");
        sim.Bump("apps", [sim.Signers[TufRoles.Targets][0]]);
        await updater.RefreshAsync(CancellationToken.None);
        var before = TrustedState.Capture(store, updater);

        var ex = await Assert.ThrowsAsync<UnsignedMetadataException>(() => updater.GetTargetInfoAsync("apps/evil.bin", CancellationToken.None));

        Assert.Contains("the \"apps\" role's (as delegated by \"targets\") keys", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
        Assert.Equal(sim.MetadataFiles["1.apps.json"], await TestData.StoredAsync(store, "apps"));
    }

    [Fact]
    public async Task GetTargetInfoAsync_DelegatedRoleNotInSnapshot_Rejected()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.Commit();
        sim.Snapshot = sim.Snapshot with { Version = sim.Snapshot.Version + 1 };
        sim.PublishSnapshot(edit: s => s with { Meta = s.Meta.Where(m => m.Key != "apps.json").ToDictionary(m => m.Key, m => m.Value) });
        sim.Bump(TufRoles.Timestamp);
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);

        var ex = await Assert.ThrowsAsync<MetadataMismatchException>(() => updater.GetTargetInfoAsync("apps/x", CancellationToken.None));

        Assert.Contains("does not list apps.json", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task GetTargetInfoAsync_DelegatedRoleVersionNotTheOneSnapshotNames_Rejected()
    {
        using var sim = new RepositorySimulator { SnapshotMetaHashes = false };
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.Commit();
        var old = sim.MetadataFiles["1.apps.json"];
        sim.Bump("apps");
        sim.MetadataFiles["2.apps.json"] = old;
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);

        await Assert.ThrowsAsync<MetadataMismatchException>(() => updater.GetTargetInfoAsync("apps/x", CancellationToken.None));

        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task GetTargetInfoAsync_DelegatedRoleBytesNotMatchingSnapshot_Rejected()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.Commit();
        sim.TamperWhitespace("1.apps.json");
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);

        await Assert.ThrowsAsync<LengthOrHashMismatchException>(() => updater.GetTargetInfoAsync("apps/x", CancellationToken.None));

        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task GetTargetInfoAsync_DelegatedRoleExpired_Rejected()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.SetTargetsRole("apps", sim.GetTargetsRole("apps") with { Expires = RepositorySimulator.Start.AddHours(1) });
        sim.Commit();
        sim.Time.Advance(TimeSpan.FromHours(2));
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);

        var ex = await Assert.ThrowsAsync<ExpiredMetadataException>(() => updater.GetTargetInfoAsync("apps/x", CancellationToken.None));

        Assert.Contains("1.apps.json expired at 2026-01-01T01:00:00Z", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task GetTargetInfoAsync_RoleNameWithSlash_StoredAndFetchedPercentEncoded()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "team/a", paths: ["team-a/*"]);
        sim.AddTarget("team-a/x", TestData.Bytes("x"), role: "team/a");
        sim.Commit();
        var store = sim.CreateStore();
        var updater = sim.CreateUpdater(store);

        Assert.Equal("team/a", (await updater.GetTargetInfoAsync("team-a/x", CancellationToken.None)).Role);

        Assert.Contains("meta:1.team%2Fa.json", sim.FetchLog);
        Assert.Contains("team%2Fa", store.Roles);
    }

    [Fact]
    public async Task GetTargetInfoAsync_RoleNameDifferingFromTopLevelOnlyByCase_Refused()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "Root", paths: ["*"]);
        sim.Commit();
        var (store, updater) = await TestData.RefreshedAsync(sim);
        var before = TrustedState.Capture(store, updater);

        var ex = await Assert.ThrowsAsync<TufException>(() => updater.GetTargetInfoAsync("x", CancellationToken.None));

        Assert.Contains("\"Root\" was refused", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task EnumerateTargetsAsync_WithDelegations_ListsEachPathAsSearchResolvesIt()
    {
        using var sim = new RepositorySimulator();
        sim.AddTarget("a.bin", TestData.Bytes("a"));
        sim.Delegate(TufRoles.Targets, "A", paths: ["apps/*"]);
        sim.Delegate(TufRoles.Targets, "B", paths: ["apps/*", "other/*"]);
        sim.AddTarget("apps/x.bin", TestData.Bytes("x from A"), role: "A");
        sim.AddTarget("outside.bin", TestData.Bytes("not trusted"), role: "A");
        sim.AddTarget("apps/x.bin", TestData.Bytes("x from B"), role: "B");
        sim.AddTarget("apps/y.bin", TestData.Bytes("y"), role: "B");
        sim.AddTarget("other/z.bin", TestData.Bytes("z"), role: "B");
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());

        var found = new List<(string, string)>();
        await foreach (var target in updater.EnumerateTargetsAsync(CancellationToken.None))
        {
            found.Add((target.Path, target.Role));
        }

        Assert.Equal([("a.bin", "targets"), ("apps/x.bin", "A"), ("apps/y.bin", "B"), ("other/z.bin", "B")], found);
        Assert.Single(sim.FetchLog, f => f.EndsWith(".A.json", StringComparison.Ordinal));
        Assert.Single(sim.FetchLog, f => f.EndsWith(".B.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnumerateTargetsAsync_DelegatedRoleWronglySigned_Throws()
    {
        using var sim = new RepositorySimulator();
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.Commit();
        sim.Bump("apps", [sim.NewSigner("attacker")]);
        var updater = sim.CreateUpdater(sim.CreateStore());

        await Assert.ThrowsAsync<UnsignedMetadataException>(async () =>
        {
            await foreach (var unused in updater.EnumerateTargetsAsync(CancellationToken.None))
            {
            }
        });
    }

    private static string BinOf(string path) =>
        Convert.ToHexStringLower(SHA256.HashData(TestData.Bytes(path)))[0] < '8' ? "bin-lo" : "bin-hi";
}
