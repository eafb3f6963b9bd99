using Otter.Agent.Tests.TestSupport;
using Otter.Agent.Transport;

namespace Otter.Agent.Tests.Transport;

/// <summary>The resuming download stream against a real Kestrel on loopback.</summary>
public sealed class ResumableHttpStreamTests
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task ReadAsync_ConnectionResetTwice_ReturnsEveryByteOnceWithTwoResumes()
    {
        using var temp = new TempDirectory();
        var content = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1 << 20);
        Directory.CreateDirectory(temp.Combine("repo", "targets"));
        await File.WriteAllBytesAsync(temp.Combine("repo", "targets", "blob"), content);
        await using var server = await RepositoryServer.StartAsync(temp.Combine("repo"), temp.Path);
        server.ResetAfterBytes = 200_000;
        server.ResetNextTargets(2);

        await using var stream = await ResumableHttpStream.OpenAsync(Client, new Uri(server.RepoUrl + "targets/blob"), CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(content, copy.ToArray());
        Assert.Equal(2, stream.Resumes);
        Assert.Equal(content.Length, stream.Position);
    }

    [Fact]
    public async Task ReadAsync_ReconnectItselfFailsTwice_CountsAsAttemptsAndCompletes()
    {
        using var temp = new TempDirectory();
        var content = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1 << 20);
        Directory.CreateDirectory(temp.Combine("repo", "targets"));
        await File.WriteAllBytesAsync(temp.Combine("repo", "targets", "blob"), content);
        await using var server = await RepositoryServer.StartAsync(temp.Combine("repo"), temp.Path);
        server.ResetAfterBytes = 200_000;
        server.ResetNextTargets(1);
        server.DropNextRangeRequests(2);

        await using var stream = await ResumableHttpStream.OpenAsync(Client, new Uri(server.RepoUrl + "targets/blob"), CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(content, copy.ToArray());
        Assert.Equal(3, stream.Resumes);
        Assert.Equal(3, server.Requests.Count(r => r.Range is not null));
    }

    [Fact]
    public async Task OpenAsync_FirstTwoConnectionsDropBeforeAnswer_RetriesAndReadsEverything()
    {
        using var temp = new TempDirectory();
        var content = System.Security.Cryptography.RandomNumberGenerator.GetBytes(100_000);
        Directory.CreateDirectory(temp.Combine("repo", "targets"));
        await File.WriteAllBytesAsync(temp.Combine("repo", "targets", "blob"), content);
        await using var server = await RepositoryServer.StartAsync(temp.Combine("repo"), temp.Path);
        server.DropNextRequests(2);

        await using var stream = await ResumableHttpStream.OpenAsync(Client, new Uri(server.RepoUrl + "targets/blob"), CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(content, copy.ToArray());
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task OpenAsync_EveryConnectionDrops_GivesUpWithHttpError()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("repo", "targets"));
        await File.WriteAllBytesAsync(temp.Combine("repo", "targets", "blob"), new byte[10]);
        await using var server = await RepositoryServer.StartAsync(temp.Combine("repo"), temp.Path);
        server.DropNextRequests(100);

        await Assert.ThrowsAsync<HttpRequestException>(() => ResumableHttpStream.OpenAsync(Client, new Uri(server.RepoUrl + "targets/blob"), CancellationToken.None));
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task OpenAsync_MissingResource_ThrowsRepositoryNotFound()
    {
        using var temp = new TempDirectory();
        await using var server = await RepositoryServer.StartAsync(temp.Path, temp.Path);

        await Assert.ThrowsAsync<Otter.Trust.Tuf.RepositoryNotFoundException>(() => ResumableHttpStream.OpenAsync(Client, new Uri(server.RepoUrl + "targets/none"), CancellationToken.None));
    }
}
