using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Otter.Ledger.Log;
using Otter.Ledger.Merkle;
using Otter.Ledger.Storage;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Hosting;
using Otter.Server.Tests.Support;
using Otter.Trust.Tuf.Repository;

namespace Otter.Server.Tests.Releases;

/// <summary>The server killed mid-upload or mid-publish: after a restart no half release is visible and the repository and log verify.</summary>
public sealed class PublishCrashTests
{
    [Theory]
    [InlineData(CrashPoints.PublishReceived, false)]
    [InlineData(CrashPoints.PublishLogged, false)]
    [InlineData(CrashPoints.PublishCommitted, true)]
    public async Task Publish_ServerKilledAtStep_RestartShowsNoHalfRelease(string crashAt, bool publishedBeforeDeath)
    {
        await using var server = await ServerFixture.StartAsync();
        var bundle = TestReleases.Bundle(server.WorkDirectory, "2.0.0");
        await server.StopAsync();

        using (var child = await ServerProcess.StartAsync(server.DataDirectory, crashAt))
        {
            using var client = ChildClient(server, child);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => TestReleases.PostAsync(client, "fw/2.0.0.bundle", bundle));
            Assert.True(await child.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the server should have killed itself at " + crashAt);
        }

        await server.StartServerAsync();
        var releases = (await server.Api().GetFromJsonAsync("api/v1/releases", ProtocolJsonContext.Default.ListReleaseInfo))!;
        var targets = TufRepository.ListTargets(Path.Combine(server.DataDirectory, "repo"));
        if (publishedBeforeDeath)
        {
            // TUF had committed: the release is complete and public, and its row is restored.
            var release = Assert.Single(releases);
            Assert.Equal("2.0.0", release.Version);
            Assert.Single(targets);
        }
        else
        {
            Assert.Empty(releases);
            Assert.Empty(targets);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "uploads")));

            // And the same release publishes fine afterwards.
            var published = await TestReleases.PublishAsync(server, "fw/2.0.0.bundle", bundle);
            Assert.Equal("2.0.0", published.Release.Version);
        }

        AssertRepositoryVerifies(server);
        await AssertLogVerifiesAsync(server);
    }

    [Fact]
    public async Task Publish_ServerKilledMidUpload_RestartShowsNothing()
    {
        await using var server = await ServerFixture.StartAsync();
        var bundle = TestReleases.Bundle(server.WorkDirectory, "3.0.0", osBytes: 8 << 20);
        await server.StopAsync();
        var bytes = await File.ReadAllBytesAsync(bundle);

        using (var child = await ServerProcess.StartAsync(server.DataDirectory))
        {
            using var client = ChildClient(server, child);
            var killed = new TaskCompletionSource();
            var content = new StreamContent(new KillingStream(bytes, bytes.Length / 3, () =>
            {
                child.Kill();
                killed.TrySetResult();
            }));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            await Assert.ThrowsAnyAsync<Exception>(() => client.PostAsync("api/v1/releases?name=fw/3.0.0.bundle", content));
            await killed.Task;
        }

        await server.StartServerAsync();

        Assert.Empty((await server.Api().GetFromJsonAsync("api/v1/releases", ProtocolJsonContext.Default.ListReleaseInfo))!);
        Assert.Empty(TufRepository.ListTargets(Path.Combine(server.DataDirectory, "repo")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "uploads")));
        AssertRepositoryVerifies(server);
        await AssertLogVerifiesAsync(server);
    }

    private static HttpClient ChildClient(ServerFixture server, ServerProcess child)
    {
        var client = new HttpClient(server.Handler(null)) { BaseAddress = child.ApiUrl, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
        return client;
    }

    private static void AssertRepositoryVerifies(ServerFixture server)
    {
        var result = ProcessRunner.Run(
            "dotnet",
            [ServerProcess.OtterDll, "repo", "verify", Path.Combine(server.DataDirectory, "repo"), "--trusted-root", Path.Combine(server.DataDirectory, "device-trust", "root.json")],
            timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"otter repo verify failed: {result.StandardOutput} {result.StandardError}");
    }

    private static async Task AssertLogVerifiesAsync(ServerFixture server)
    {
        using var log = await TransparencyLog.OpenAsync(new DirectoryLogStorage(Path.Combine(server.DataDirectory, "log")), signer: null);
        var checkpoint = log.Checkpoint.Checkpoint;
        for (long index = 0; index < checkpoint.Size; index++)
        {
            var proof = await log.ProveInclusionAsync(index);
            MerkleVerifier.VerifyInclusion(index, checkpoint.Size, MerkleHasher.HashLeaf(await log.ReadEntryAsync(index)), proof.Proof, checkpoint.RootHash);
        }
    }

    /// <summary>Feeds the upload, then calls <c>kill</c> once <c>killAt</c> bytes are out.</summary>
    private sealed class KillingStream(byte[] bytes, int killAt, Action kill) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= killAt)
            {
                kill();
                Thread.Sleep(200);
            }

            var n = Math.Min(count, bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
