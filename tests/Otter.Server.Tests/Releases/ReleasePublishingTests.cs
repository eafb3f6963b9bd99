using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Otter.Ledger.Merkle;
using Otter.Ledger.Notes;
using Otter.Ledger.Records;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Tests.Support;
using Otter.Trust.Tuf.Repository;

namespace Otter.Server.Tests.Releases;

/// <summary>Publishing: a bundle becomes a TUF target and a log record with a proof; bad uploads store nothing.</summary>
public sealed class ReleasePublishingTests
{
    [Fact]
    public async Task Publish_Bundle_TargetSignedLoggedAndProven()
    {
        await using var server = await ServerFixture.StartAsync();
        var bundle = TestReleases.Bundle(server.WorkDirectory, "1.0.0", counter: 3);

        var result = await TestReleases.PublishAsync(server, "gw-x2/1.0.0.bundle", bundle);

        Assert.Equal("1.0.0", result.Release.Version);
        Assert.Equal(3, result.Release.SecurityCounter);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(bundle))), result.Release.Sha256);
        var target = Assert.Single(TufRepository.ListTargets(Path.Combine(server.DataDirectory, "repo")));
        Assert.Equal("gw-x2/1.0.0.bundle", target.Name);
        var logPub = await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "device-trust", "log.pub"));
        var checkpoint = SignedCheckpoint.Verify(System.Text.Encoding.UTF8.GetBytes(result.Checkpoint), result.LogOrigin, [NoteKey.FromPem(result.LogOrigin, logPub)]).Checkpoint;
        var record = new ReleaseRecord
        {
            Name = result.Release.Name,
            Version = result.Release.Version,
            Sha256 = result.Release.Sha256,
            Length = result.Release.Length,
            SecurityCounter = result.Release.SecurityCounter,
            Hardware = result.Release.Hardware,
            Kind = "bundle",
        };
        MerkleVerifier.VerifyInclusion(result.Release.LogIndex, checkpoint.Size, MerkleHasher.HashLeaf(record.ToEntry()), result.InclusionProof.Select(Convert.FromBase64String).ToList(), checkpoint.RootHash);
    }

    [Fact]
    public async Task Download_RangeAndETag_PartialContentAndNotModified()
    {
        await using var server = await ServerFixture.StartAsync();
        var bundle = TestReleases.Bundle(server.WorkDirectory, "1.0.0", osBytes: 100_000);
        var result = await TestReleases.PublishAsync(server, "fw.bundle", bundle);
        using var client = server.Api();
        var path = $"repo/targets/{result.Release.Sha256}.fw.bundle";

        using var range = new HttpRequestMessage(HttpMethod.Get, path);
        range.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var partial = await client.SendAsync(range);
        var etag = partial.Headers.ETag!;
        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(File.ReadAllBytes(bundle).AsSpan(1000, 1000).ToArray(), await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("../escape.bundle")]
    [InlineData("a/../../b")]
    [InlineData("/abs.bundle")]
    public async Task Publish_TraversalName_BadRequestAndNothingStored(string name)
    {
        await using var server = await ServerFixture.StartAsync();
        var bundle = TestReleases.Bundle(server.WorkDirectory, "1.0.0");
        var before = DirectorySnapshot.Take(Path.Combine(server.DataDirectory, "repo"));

        using var response = await TestReleases.PostAsync(server.Api(), name, bundle);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.BadRequest, name);
        Assert.Equal(before, DirectorySnapshot.Take(Path.Combine(server.DataDirectory, "repo")));
        Assert.Empty((await server.Api().GetFromJsonAsync("api/v1/releases", ProtocolJsonContext.Default.ListReleaseInfo))!);
    }

    [Fact]
    public async Task Publish_NotABundle_BadRequestAndNothingStored()
    {
        await using var server = await ServerFixture.StartAsync();
        var junk = Path.Combine(server.WorkDirectory, "junk.bin");
        await File.WriteAllBytesAsync(junk, new byte[5000]);

        using var response = await TestReleases.PostAsync(server.Api(), "junk.bundle", junk);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.BadRequest, "not a valid Otter bundle");
        Assert.Empty(TufRepository.ListTargets(Path.Combine(server.DataDirectory, "repo")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "uploads")));
    }

    [Fact]
    public async Task Publish_SameNameTwice_Conflict()
    {
        await using var server = await ServerFixture.StartAsync();
        var bundle = TestReleases.Bundle(server.WorkDirectory, "1.0.0");
        await TestReleases.PublishAsync(server, "fw.bundle", bundle);

        using var response = await TestReleases.PostAsync(server.Api(), "fw.bundle", bundle);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Conflict, "immutable");
    }

    [Fact]
    public async Task Publish_WrongRoleKey_ForbiddenAndNothingStored()
    {
        await using var server = await ServerFixture.StartAsync();
        var auditorKey = await ApiKeyAsync(server, "auditor-1", Roles.Auditor);
        var bundle = TestReleases.Bundle(server.WorkDirectory, "1.0.0");

        using var response = await TestReleases.PostAsync(server.Api(auditorKey), "fw.bundle", bundle);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Forbidden, "role auditor");
        Assert.Empty(TufRepository.ListTargets(Path.Combine(server.DataDirectory, "repo")));
    }

    [Fact]
    public async Task Api_UnknownKey_Unauthorized()
    {
        await using var server = await ServerFixture.StartAsync();

        using var response = await server.Api("otter_000000000000_nope").GetAsync("api/v1/releases");

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Unauthorized, "not valid");
    }

    [Fact]
    public async Task Publish_ClientAbortsMidUpload_NothingStored()
    {
        await using var server = await ServerFixture.StartAsync();
        var bundle = TestReleases.Bundle(server.WorkDirectory, "1.0.0", osBytes: 4 << 20);
        var bytes = await File.ReadAllBytesAsync(bundle);
        using var client = server.Api();
        using var cancel = new CancellationTokenSource();
        var content = new StreamContent(new AbortingStream(bytes, bytes.Length / 2, cancel));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = bytes.Length;

        await Assert.ThrowsAnyAsync<Exception>(() => client.PostAsync("api/v1/releases?name=fw.bundle", content, cancel.Token));

        // The server notices the abort; give it a moment to clean up.
        for (var i = 0; i < 50 && Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "uploads")).Any(); i++)
        {
            await Task.Delay(100);
        }

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "uploads")));
        Assert.Empty(TufRepository.ListTargets(Path.Combine(server.DataDirectory, "repo")));
        Assert.Empty((await server.Api().GetFromJsonAsync("api/v1/releases", ProtocolJsonContext.Default.ListReleaseInfo))!);
    }

    [Fact]
    public async Task Publish_BundleOverTheLimit_PayloadTooLargeAndNothingStored()
    {
        await using var server = await ServerFixture.StartAsync();
        await server.StopAsync();
        var settings = Path.Combine(server.DataDirectory, "server.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(settings))!;
        json["release_limit"] = 64 * 1024;
        await File.WriteAllTextAsync(settings, json.ToJsonString());
        await server.StartServerAsync();
        var bundle = TestReleases.Bundle(server.WorkDirectory, "1.0.0", osBytes: 256 * 1024);

        using var response = await TestReleases.PostAsync(server.Api(), "big.bundle", bundle);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.RequestEntityTooLarge, "release_limit");
        Assert.Empty(TufRepository.ListTargets(Path.Combine(server.DataDirectory, "repo")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "uploads")));
    }

    [Fact]
    public async Task Tag_MalformedJson_BadRequestNamingTheField()
    {
        await using var server = await ServerFixture.StartAsync();

        using var response = await server.Api().PostAsync("api/v1/devices/x/tags", new StringContent("{\"add\": 5}", System.Text.Encoding.UTF8, "application/json"));

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.BadRequest, "$.add");
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheApis()
    {
        await using var server = await ServerFixture.StartAsync();

        var document = await server.Api().GetStringAsync("openapi/v1.json");

        Assert.Contains("/api/v1/releases", document, StringComparison.Ordinal);
        Assert.Contains("/device/v1/checkin", document, StringComparison.Ordinal);
    }

    internal static async Task<string> ApiKeyAsync(ServerFixture server, string name, string role)
    {
        using var response = await server.Api().PostAsJsonAsync("api/v1/api-keys", new ApiKeyRequest { Name = name, Role = role }, ProtocolJsonContext.Default.ApiKeyRequest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ApiKeyCreated))!.Key;
    }
}
