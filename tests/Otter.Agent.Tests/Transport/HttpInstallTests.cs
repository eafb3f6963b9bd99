using Otter.Agent.Tests.TestSupport;

namespace Otter.Agent.Tests.Transport;

/// <summary>
/// <c>otter-agent install</c> from a real Kestrel on loopback: a connection reset in the middle
/// of the release costs a range request, not the install; bytes that differ from the signed
/// ones are refused however they arrive.
/// </summary>
public sealed class HttpInstallTests
{
    private const int OsLength = 1 << 20;

    [Fact]
    public async Task Install_OverHttp_StagesAndCommits()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        await using var server = await RepositoryServer.StartAsync(factory.Repo, factory.Log);

        var install = await AgentRunner.RunAsync("install", "--device", factory.Device, "--repo", server.RepoUrl, "--log", server.LogUrl, "--target", ReleaseFactory.V2);
        var boot = await factory.BootAsync();

        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Equal("booted slot b version 2.0: committed", boot.Output.Trim());
        Assert.Contains(server.Requests, r => r.Path.StartsWith("/log/tile/", StringComparison.Ordinal));
        Assert.Contains(server.Requests, r => r.Path == "/log/checkpoint");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Install_ConnectionResetMidDownload_ResumesWithRangeAndCommits(int resets)
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var release = await factory.ReleaseAsync(BundleSpec.Healthy("3.0", 3) with { OsLength = OsLength }, "fw-3.0.bin");
        await using var server = await RepositoryServer.StartAsync(factory.Repo, factory.Log);
        server.ResetAfterBytes = 300_000;
        server.ResetNextTargets(resets);

        var install = await AgentRunner.RunAsync("install", "--device", factory.Device, "--repo", server.RepoUrl, "--log", server.LogUrl, "--target", release);
        var boot = await factory.BootAsync();

        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Equal("booted slot b version 3.0: committed", boot.Output.Trim());
        var target = server.Requests.Where(r => r.Path.StartsWith("/repo/targets/", StringComparison.Ordinal)).ToList();
        Assert.Equal(resets + 1, target.Count);
        Assert.Null(target[0].Range);
        Assert.All(target.Skip(1), r => Assert.Equal(206, r.Status));
        Assert.All(target.Skip(1), r => Assert.StartsWith("bytes=", r.Range, StringComparison.Ordinal));

        // Each resume starts where the bytes stopped, never from zero.
        Assert.All(target.Skip(1), r => Assert.NotEqual("bytes=0-", r.Range));
    }

    [Fact]
    public async Task Install_ConnectionResetMoreOftenThanTheAgentRetries_RefusedAndOldVersionBoots()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var release = await factory.ReleaseAsync(BundleSpec.Healthy("3.0", 3) with { OsLength = OsLength }, "fw-3.0.bin");
        await using var server = await RepositoryServer.StartAsync(factory.Repo, factory.Log);
        server.ResetAfterBytes = 60_000;
        server.ResetNextTargets(1000);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await AgentRunner.RunAsync("install", "--device", factory.Device, "--repo", server.RepoUrl, "--log", server.LogUrl, "--target", release);

        Assert.Equal(1, install.ExitCode);
        Assert.True(install.Error.Contains("broke off", StringComparison.Ordinal), install.Error);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ServerAltersTheRelease_RefusedAndOldVersionBoots()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var release = await factory.ReleaseAsync(BundleSpec.Healthy("3.0", 3) with { OsLength = OsLength }, "fw-3.0.bin");
        await using var server = await RepositoryServer.StartAsync(factory.Repo, factory.Log);
        server.AlterTargets = true;
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await AgentRunner.RunAsync("install", "--device", factory.Device, "--repo", server.RepoUrl, "--log", server.LogUrl, "--target", release);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("does not match", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ResumedDownloadGetsOtherBytes_RefusedAndOldVersionBoots()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var release = await factory.ReleaseAsync(BundleSpec.Healthy("3.0", 3) with { OsLength = OsLength }, "fw-3.0.bin");
        await using var server = await RepositoryServer.StartAsync(factory.Repo, factory.Log);
        server.ResetAfterBytes = 300_000;
        server.ResetNextTargets(1);
        server.AlterResumedTargets = true;
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await AgentRunner.RunAsync("install", "--device", factory.Device, "--repo", server.RepoUrl, "--log", server.LogUrl, "--target", release);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("does not match", install.Error, StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r.Status == 206);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_ServerWithoutRangeSupportAfterAReset_RefusedAndOldVersionBoots()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var release = await factory.ReleaseAsync(BundleSpec.Healthy("3.0", 3) with { OsLength = OsLength }, "fw-3.0.bin");
        await using var server = await RepositoryServer.StartAsync(factory.Repo, factory.Log);
        server.ResetAfterBytes = 300_000;
        server.ResetNextTargets(1);
        server.IgnoreRanges = true;
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await AgentRunner.RunAsync("install", "--device", factory.Device, "--repo", server.RepoUrl, "--log", server.LogUrl, "--target", release);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("cannot resume at byte", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }

    [Fact]
    public async Task Install_TargetMissingOnTheServer_RefusedAndOldVersionBoots()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        File.Delete(factory.StoredTarget(ReleaseFactory.V2));
        await using var server = await RepositoryServer.StartAsync(factory.Repo, factory.Log);
        var before = ActiveSlotState.Capture(factory.Device);

        var install = await AgentRunner.RunAsync("install", "--device", factory.Device, "--repo", server.RepoUrl, "--log", server.LogUrl, "--target", ReleaseFactory.V2);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("404", install.Error, StringComparison.Ordinal);
        await before.AssertRefusedAndBootsOldAsync(factory.Device);
    }
}
