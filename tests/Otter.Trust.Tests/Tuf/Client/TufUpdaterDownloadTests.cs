using System.Security.Cryptography;
using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Threat: substituted or corrupted targets (wrong hash or length).</summary>
public sealed class TufUpdaterDownloadTests
{
    [Fact]
    public async Task DownloadTargetAsync_CorruptedSameLength_Rejected()
    {
        using var sim = new RepositorySimulator();
        var (updater, target, servedPath) = await PublishAsync(sim, TestData.Bytes("good firmware"));
        sim.TargetFiles[servedPath] = TestData.Bytes("evil firmware");

        var ex = await Assert.ThrowsAsync<LengthOrHashMismatchException>(() => TestData.DownloadAsync(updater, target));

        Assert.Contains("does not have the sha256 hash", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadTargetAsync_SubstitutedByAnotherTarget_Rejected()
    {
        using var sim = new RepositorySimulator();
        var other = TestData.Bytes("another, older, signed target");
        sim.AddTarget("old.bin", other);
        var (updater, target, servedPath) = await PublishAsync(sim, TestData.Bytes("current target"));
        sim.TargetFiles[servedPath] = other;

        await Assert.ThrowsAnyAsync<TufException>(() => TestData.DownloadAsync(updater, target));
    }

    [Fact]
    public async Task DownloadTargetAsync_Truncated_Rejected()
    {
        using var sim = new RepositorySimulator();
        var (updater, target, servedPath) = await PublishAsync(sim, TestData.Bytes("complete content"));
        sim.TargetFiles[servedPath] = TestData.Bytes("complete");

        var ex = await Assert.ThrowsAsync<LengthOrHashMismatchException>(() => TestData.DownloadAsync(updater, target));

        Assert.Contains("ended after 8 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadTargetAsync_Missing_ThrowsRepositoryNotFound()
    {
        using var sim = new RepositorySimulator();
        var (updater, target, servedPath) = await PublishAsync(sim, TestData.Bytes("content"));
        sim.TargetFiles.Remove(servedPath);

        await Assert.ThrowsAsync<RepositoryNotFoundException>(() => TestData.DownloadAsync(updater, target));
    }

    [Fact]
    public async Task DownloadTargetAsync_OnlyUnknownHashAlgorithm_RejectedBeforeFetching()
    {
        using var sim = new RepositorySimulator(consistentSnapshot: false);
        sim.AddTarget("a.bin", TestData.Bytes("a"), hashes: new Dictionary<string, string> { ["blake2b"] = "00ff" });
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());
        var target = await updater.GetTargetInfoAsync("a.bin", CancellationToken.None);

        var ex = await Assert.ThrowsAsync<LengthOrHashMismatchException>(() => TestData.DownloadAsync(updater, target));

        Assert.Contains("only hashes Otter cannot check (blake2b)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(sim.FetchLog, f => f.StartsWith("target:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadTargetAsync_Sha256AndSha512_BothChecked()
    {
        using var sim = new RepositorySimulator();
        var content = TestData.Bytes("two hashes");
        var hashes = new Dictionary<string, string>
        {
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)),
            ["sha512"] = Convert.ToHexStringLower(SHA512.HashData(TestData.Bytes("something else"))),
        };
        sim.AddTarget("a.bin", content, hashes: hashes);
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());
        var target = await updater.GetTargetInfoAsync("a.bin", CancellationToken.None);

        var ex = await Assert.ThrowsAsync<LengthOrHashMismatchException>(() => TestData.DownloadAsync(updater, target));

        Assert.Contains("sha512", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadTargetAsync_Sha512Only_Verified()
    {
        using var sim = new RepositorySimulator(consistentSnapshot: false);
        var content = TestData.Bytes("sha512 only");
        sim.AddTarget("a.bin", content, hashes: new Dictionary<string, string> { ["sha512"] = Convert.ToHexStringLower(SHA512.HashData(content)) });
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());
        var target = await updater.GetTargetInfoAsync("a.bin", CancellationToken.None);

        Assert.Equal(content, await TestData.DownloadAsync(updater, target));
    }

    [Fact]
    public async Task DownloadTargetAsync_EmptyTarget_Verified()
    {
        using var sim = new RepositorySimulator();
        var (updater, target, _) = await PublishAsync(sim, []);

        Assert.Empty(await TestData.DownloadAsync(updater, target));
    }

    [Fact]
    public async Task DownloadTargetAsync_ReadOnlyDestination_Throws()
    {
        using var sim = new RepositorySimulator();
        var (updater, target, _) = await PublishAsync(sim, TestData.Bytes("x"));
        using var readOnly = new MemoryStream([], writable: false);

        await Assert.ThrowsAsync<ArgumentException>(() => updater.DownloadTargetAsync(target, readOnly, CancellationToken.None));
    }

    private static async Task<(TufUpdater Updater, TargetInfo Target, string ServedPath)> PublishAsync(RepositorySimulator sim, byte[] content)
    {
        sim.AddTarget("fw/image.bin", content);
        sim.Commit();
        var updater = sim.CreateUpdater(sim.CreateStore());
        var target = await updater.GetTargetInfoAsync("fw/image.bin", CancellationToken.None);
        return (updater, target, sim.ServedPathOf("fw/image.bin", content));
    }
}
