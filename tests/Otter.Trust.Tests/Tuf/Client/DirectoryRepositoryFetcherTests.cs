using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

public sealed class DirectoryRepositoryFetcherTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public DirectoryRepositoryFetcherTests()
    {
        Directory.CreateDirectory(_temp.Combine("repo", "metadata"));
        Directory.CreateDirectory(_temp.Combine("repo", "targets", "fw"));
        File.WriteAllText(_temp.Combine("repo", "metadata", "timestamp.json"), "ts");
        File.WriteAllText(_temp.Combine("repo", "targets", "fw", "image.bin"), "image");
        File.WriteAllText(_temp.Combine("secret"), "outside the repository");
        File.WriteAllText(_temp.Combine("repo", "outside-targets"), "outside the targets directory");
    }

    [Fact]
    public async Task OpenMetadataAsync_ExistingFile_ReturnsItsBytes()
    {
        var fetcher = new DirectoryRepositoryFetcher(_temp.Combine("repo"));

        Assert.Equal("ts", await ReadAsync(await fetcher.OpenMetadataAsync("timestamp.json", CancellationToken.None)));
    }

    [Fact]
    public async Task OpenTargetAsync_NestedPath_ReturnsItsBytes()
    {
        var fetcher = new DirectoryRepositoryFetcher(_temp.Combine("repo"));

        Assert.Equal("image", await ReadAsync(await fetcher.OpenTargetAsync("fw/image.bin", CancellationToken.None)));
    }

    [Fact]
    public async Task OpenMetadataAsync_Missing_ThrowsRepositoryNotFound()
    {
        var fetcher = new DirectoryRepositoryFetcher(_temp.Combine("repo"));

        var ex = await Assert.ThrowsAsync<RepositoryNotFoundException>(() => fetcher.OpenMetadataAsync("2.root.json", CancellationToken.None));

        Assert.Contains("2.root.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenTargetAsync_MissingDirectory_ThrowsRepositoryNotFound()
    {
        var fetcher = new DirectoryRepositoryFetcher(_temp.Combine("repo"));

        await Assert.ThrowsAsync<RepositoryNotFoundException>(() => fetcher.OpenTargetAsync("nope/image.bin", CancellationToken.None));
    }

    [Theory]
    [InlineData("../outside-targets")]
    [InlineData("../../secret")]
    [InlineData("fw/../../../secret")]
    [InlineData("fw/../image.bin")]
    [InlineData("/etc/passwd")]
    [InlineData("fw\\..\\..\\outside-targets")]
    [InlineData("")]
    [InlineData("fw//image.bin")]
    [InlineData("./fw/image.bin")]
    [InlineData("..")]
    [InlineData("fw/image.bin\0")]
    public async Task OpenTargetAsync_PathEscapingOrNotPlain_Refused(string path)
    {
        var fetcher = new DirectoryRepositoryFetcher(_temp.Combine("repo"));

        var ex = await Assert.ThrowsAsync<TufException>(() => fetcher.OpenTargetAsync(path, CancellationToken.None));

        Assert.IsNotType<RepositoryNotFoundException>(ex);
        Assert.Contains("was refused", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../targets/fw/image.bin")]
    [InlineData("../../secret")]
    [InlineData("/etc/passwd")]
    [InlineData("..\\secret")]
    public async Task OpenMetadataAsync_NameEscaping_Refused(string name)
    {
        var fetcher = new DirectoryRepositoryFetcher(_temp.Combine("repo"));

        var ex = await Assert.ThrowsAsync<TufException>(() => fetcher.OpenMetadataAsync(name, CancellationToken.None));

        Assert.Contains("was refused", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TufUpdater_OverDirectoryRepository_RefreshesFindsAndDownloads(bool consistentSnapshot)
    {
        using var sim = new RepositorySimulator(consistentSnapshot);
        sim.Delegate(TufRoles.Targets, "apps", paths: ["apps/*"]);
        sim.AddTarget("apps/app.bin", TestData.Bytes("delegated app"), role: "apps");
        sim.AddTarget("fw/image.bin", TestData.Bytes("top-level image"));
        sim.Commit();
        var repo = _temp.Combine("published");
        foreach (var (name, bytes) in sim.MetadataFiles)
        {
            Write(Path.Combine(repo, "metadata", name), bytes);
        }

        foreach (var (path, bytes) in sim.TargetFiles)
        {
            Write(Path.Combine(repo, "targets", path), bytes);
        }

        var store = new DirectoryTrustedMetadataStore(_temp.Combine("device"));
        await store.WriteAsync(TufRoles.Root, sim.InitialRootBytes, CancellationToken.None);
        var updater = new TufUpdater(new DirectoryRepositoryFetcher(repo), store, timeProvider: sim.Time);

        var found = new List<TargetInfo>();
        await foreach (var target in updater.EnumerateTargetsAsync(CancellationToken.None))
        {
            found.Add(target);
        }

        Assert.Equal(["apps/app.bin", "fw/image.bin"], found.Select(t => t.Path).Order(StringComparer.Ordinal));
        foreach (var target in found)
        {
            Assert.Equal(target.File.Length, (await TestData.DownloadAsync(updater, target)).Length);
        }
    }

    public void Dispose() => _temp.Dispose();

    private static void Write(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    private static async Task<string> ReadAsync(Stream stream)
    {
        await using (stream)
        {
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync();
        }
    }
}
