using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Threat: endless data — oversized metadata or targets; downloads are capped.</summary>
public sealed class TufUpdaterEndlessDataTests
{
    private static readonly TufClientOptions SmallLimits = new()
    {
        MaxRootLength = 32 * 1024,
        MaxTimestampLength = 4 * 1024,
        MaxSnapshotLength = 16 * 1024,
        MaxTargetsLength = 64 * 1024,
    };

    [Theory]
    [InlineData(TufRoles.Root, true)]
    [InlineData(TufRoles.Timestamp, true)]
    [InlineData(TufRoles.Snapshot, true)]
    [InlineData(TufRoles.Snapshot, false)]
    [InlineData(TufRoles.Targets, true)]
    [InlineData(TufRoles.Targets, false)]
    public async Task RefreshAsync_EndlessMetadata_ReadsAtMostCapPlusOneAndRejects(string role, bool parentGivesLength)
    {
        using var sim = new RepositorySimulator { TimestampMetaHashes = parentGivesLength, SnapshotMetaHashes = parentGivesLength };
        var (store, updater) = await TestData.RefreshedAsync(sim, SmallLimits);
        var before = TrustedState.Capture(store, updater);
        sim.Bump(role);
        var fileName = sim.FileNameOf(role);
        var realLength = sim.MetadataFiles[fileName].Length;
        var endless = sim.ServeEndless(fileName);

        var ex = await Assert.ThrowsAsync<DownloadTooLargeException>(() => updater.RefreshAsync(CancellationToken.None));

        long cap = role switch
        {
            TufRoles.Root => SmallLimits.MaxRootLength,
            TufRoles.Timestamp => SmallLimits.MaxTimestampLength,
            _ when parentGivesLength => realLength,
            TufRoles.Snapshot => SmallLimits.MaxSnapshotLength,
            _ => SmallLimits.MaxTargetsLength,
        };
        Assert.InRange(endless.BytesRead, cap + 1, cap + 1);
        Assert.Contains($"{fileName} is longer than the {cap} bytes allowed", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(store, updater, TestData.AcceptedBefore(role));
    }

    [Fact]
    public async Task RefreshAsync_TimestampOneByteOverLimit_Rejected()
    {
        using var sim = new RepositorySimulator();
        var length = sim.MetadataFiles["timestamp.json"].Length;
        var store = sim.CreateStore();
        var updater = sim.CreateUpdater(store, new TufClientOptions { MaxTimestampLength = length - 1 });

        var ex = await Assert.ThrowsAsync<DownloadTooLargeException>(() => updater.RefreshAsync(CancellationToken.None));

        Assert.Contains("TufClientOptions.MaxTimestampLength", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["root"], store.Roles);
    }

    [Fact]
    public async Task RefreshAsync_TimestampExactlyAtLimit_Accepted()
    {
        using var sim = new RepositorySimulator();
        var length = sim.MetadataFiles["timestamp.json"].Length;
        var updater = sim.CreateUpdater(sim.CreateStore(), new TufClientOptions { MaxTimestampLength = length });

        await updater.RefreshAsync(CancellationToken.None);

        Assert.NotNull(updater.TrustedTargets);
    }

    [Fact]
    public async Task GetTargetInfoAsync_EndlessDelegatedRole_ReadsAtMostCapPlusOneAndRejects()
    {
        using var sim = new RepositorySimulator { SnapshotMetaHashes = false };
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.Commit();
        var (store, updater) = await TestData.RefreshedAsync(sim, SmallLimits);
        var before = TrustedState.Capture(store, updater);
        var endless = sim.ServeEndless(sim.FileNameOf("apps"));

        await Assert.ThrowsAsync<DownloadTooLargeException>(() => updater.GetTargetInfoAsync("apps/x", CancellationToken.None));

        Assert.Equal(SmallLimits.MaxTargetsLength + 1, endless.BytesRead);
        before.AssertUnchanged(store, updater);
    }

    [Fact]
    public async Task DownloadTargetAsync_EndlessTarget_WritesAtMostLengthAndRejects()
    {
        using var sim = new RepositorySimulator();
        var content = new byte[100_000];
        sim.AddTarget("fw/image.bin", content);
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());
        var target = await updater.GetTargetInfoAsync("fw/image.bin", CancellationToken.None);
        var endless = new EndlessStream(0);
        sim.StreamOverrides[sim.ServedPathOf("fw/image.bin", content)] = () => endless;
        var destination = new CountingStream();

        var ex = await Assert.ThrowsAsync<DownloadTooLargeException>(() => updater.DownloadTargetAsync(target, destination, CancellationToken.None));

        Assert.Equal(content.Length + 1, endless.BytesRead);
        Assert.InRange(destination.BytesWritten, 0, content.Length);
        Assert.Contains("Discard what was written", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadTargetAsync_OneByteTooMany_RejectedWithoutWritingIt()
    {
        using var sim = new RepositorySimulator();
        var content = TestData.Bytes("exact content");
        sim.AddTarget("a.bin", content);
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());
        var target = await updater.GetTargetInfoAsync("a.bin", CancellationToken.None);
        sim.TargetFiles[sim.ServedPathOf("a.bin", content)] = [.. content, (byte)'!'];
        using var destination = new MemoryStream();

        await Assert.ThrowsAsync<DownloadTooLargeException>(() => updater.DownloadTargetAsync(target, destination, CancellationToken.None));

        Assert.InRange(destination.Length, 0, content.Length);
        Assert.True(content.AsSpan().StartsWith(destination.ToArray()));
    }
}
