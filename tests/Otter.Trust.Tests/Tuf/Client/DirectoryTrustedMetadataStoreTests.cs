using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

public sealed class DirectoryTrustedMetadataStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task WriteAsync_ThenReadAsync_RoundTripsAsRoleJsonFile()
    {
        var store = new DirectoryTrustedMetadataStore(_temp.Combine("trusted"));

        await store.WriteAsync("timestamp", TestData.Bytes("{\"a\":1}"), CancellationToken.None);

        Assert.Equal(TestData.Bytes("{\"a\":1}"), await store.ReadAsync("timestamp", CancellationToken.None));
        Assert.Equal(TestData.Bytes("{\"a\":1}"), await File.ReadAllBytesAsync(_temp.Combine("trusted", "timestamp.json")));
    }

    [Fact]
    public async Task ReadAsync_NothingStored_ReturnsNull()
    {
        var store = new DirectoryTrustedMetadataStore(_temp.Combine("does-not-exist"));

        Assert.Null(await store.ReadAsync("root", CancellationToken.None));
    }

    [Fact]
    public async Task WriteAsync_Overwrite_ReplacesAndLeavesNoTemporaryFiles()
    {
        var store = new DirectoryTrustedMetadataStore(_temp.Path);
        await store.WriteAsync("snapshot", TestData.Bytes("old, longer content"), CancellationToken.None);

        await store.WriteAsync("snapshot", TestData.Bytes("new"), CancellationToken.None);

        Assert.Equal(TestData.Bytes("new"), await store.ReadAsync("snapshot", CancellationToken.None));
        Assert.Equal([_temp.Combine("snapshot.json")], Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public async Task DeleteAsync_StoredRole_RemovesAndIsIdempotent()
    {
        var store = new DirectoryTrustedMetadataStore(_temp.Path);
        await store.WriteAsync("snapshot", TestData.Bytes("x"), CancellationToken.None);

        await store.DeleteAsync("snapshot", CancellationToken.None);
        await store.DeleteAsync("snapshot", CancellationToken.None);
        await new DirectoryTrustedMetadataStore(_temp.Combine("missing")).DeleteAsync("snapshot", CancellationToken.None);

        Assert.Null(await store.ReadAsync("snapshot", CancellationToken.None));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("nul\0byte")]
    [InlineData("/etc/passwd")]
    public async Task WriteAsync_RoleNameWithPathParts_RefusedAndNothingWritten(string role)
    {
        var store = new DirectoryTrustedMetadataStore(_temp.Combine("trusted"));

        var ex = await Assert.ThrowsAsync<TufException>(async () => await store.WriteAsync(role, TestData.Bytes("x"), CancellationToken.None));
        await Assert.ThrowsAsync<TufException>(async () => await store.ReadAsync(role, CancellationToken.None));
        await Assert.ThrowsAsync<TufException>(async () => await store.DeleteAsync(role, CancellationToken.None));

        Assert.Contains("cannot be stored", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task TufUpdater_WithDirectoryStore_PersistsEveryRoleAndReloadsIt()
    {
        using var sim = new RepositorySimulator();
        sim.AddTarget("a.bin", TestData.Bytes("a"));
        sim.Commit();
        var store = new DirectoryTrustedMetadataStore(_temp.Path);
        await store.WriteAsync(TufRoles.Root, sim.InitialRootBytes, CancellationToken.None);

        await sim.CreateUpdater(store).RefreshAsync(CancellationToken.None);
        sim.FetchLog.Clear();
        var target = await sim.CreateUpdater(store).GetTargetInfoAsync("a.bin", CancellationToken.None);

        Assert.Equal("a.bin", target.Path);
        Assert.Equal(["meta:2.root.json", "meta:timestamp.json"], sim.FetchLog);
        Assert.Equal(
            ["root.json", "snapshot.json", "targets.json", "timestamp.json"],
            Directory.GetFiles(_temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(sim.MetadataFiles["2.targets.json"], await File.ReadAllBytesAsync(_temp.Combine("targets.json")));
    }

    public void Dispose() => _temp.Dispose();
}
