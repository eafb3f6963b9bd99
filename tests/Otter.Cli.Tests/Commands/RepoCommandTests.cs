using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Otter.Cli.Tests.TestSupport;

namespace Otter.Cli.Tests.Commands;

public sealed class RepoCommandTests
{
    [Fact]
    public async Task Init_ValidKeys_WritesTufLayout()
    {
        using var fixture = await RepoFixture.CreateAsync();

        foreach (var file in new[] { "1.root.json", "root.json", "1.targets.json", "1.snapshot.json", "timestamp.json" })
        {
            Assert.True(File.Exists(Path.Combine(fixture.Repo, "metadata", file)), file);
        }

        Assert.True(Directory.Exists(Path.Combine(fixture.Repo, "targets")));
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(fixture.Repo, "metadata", "1.root.json")),
            await File.ReadAllBytesAsync(Path.Combine(fixture.Repo, "metadata", "root.json")));
        var verify = await fixture.VerifyAsync();
        Assert.True(verify.ExitCode == 0, verify.Error);
    }

    [Fact]
    public async Task Init_NonEmptyDirectory_Exit2AndNothingWritten()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        Directory.CreateDirectory(fixture.Repo);
        await File.WriteAllTextAsync(Path.Combine(fixture.Repo, "mine.txt"), "x");
        var before = DirectorySnapshot.Take(fixture.Repo);

        var result = await fixture.Runner.RunAsync(
            "repo", "init", fixture.Repo, "--root-key", fixture.RootKey,
            "--targets-key", fixture.TargetsKey, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not empty", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(fixture.Repo));
    }

    [Fact]
    public async Task Init_ThresholdAboveKeyCount_Exit2AndNoDirectory()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);

        var result = await fixture.Runner.RunAsync(
            "repo", "init", fixture.Repo, "--root-key", fixture.RootKey, "--root-threshold", "2",
            "--targets-key", fixture.TargetsKey, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--root-threshold", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(fixture.Repo));
    }

    [Fact]
    public async Task Init_RootKeyReusedOnline_Exit2()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);

        var result = await fixture.Runner.RunAsync(
            "repo", "init", fixture.Repo, "--root-key", fixture.RootKey,
            "--targets-key", fixture.RootKey, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("offline", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(fixture.Repo));
    }

    [Fact]
    public async Task Init_TwoOfThreeRootKeysWithOnePublicOnly_SignsWithThreshold()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var second = TestKeys.Create(fixture.Temp.Path, "root2");
        var third = TestKeys.Create(fixture.Temp.Path, "root3");
        var publicOnly = fixture.Temp.Combine("root3.pub");
        var text = await File.ReadAllTextAsync(third);
        await File.WriteAllTextAsync(publicOnly, text[text.IndexOf("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal)..]);

        var result = await fixture.Runner.RunAsync(
            "repo", "init", fixture.Repo, "--root-key", fixture.RootKey, "--root-key", second, "--root-key", publicOnly, "--root-threshold", "2",
            "--targets-key", fixture.TargetsKey, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);

        Assert.True(result.ExitCode == 0, result.Error);
        using var root = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(fixture.Repo, "metadata", "1.root.json")));
        Assert.Equal(2, root.RootElement.GetProperty("signatures").GetArrayLength());
        Assert.Equal(3, root.RootElement.GetProperty("signed").GetProperty("roles").GetProperty("root").GetProperty("keyids").GetArrayLength());
    }

    [Fact]
    public async Task Add_File_StoredUnderHashPrefixAndVerifies()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var file = fixture.WriteFile("firmware.bin", "firmware v1");
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("firmware v1")));

        var result = await fixture.AddAsync(file, "--name", "fw/gw-x2.bin", "--custom", "version=1.0.0", "--custom", "hardware=gw-x2");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(File.Exists(Path.Combine(fixture.Repo, "targets", "fw", sha + ".gw-x2.bin")));
        using var targets = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(fixture.Repo, "metadata", "2.targets.json")));
        var entry = targets.RootElement.GetProperty("signed").GetProperty("targets").GetProperty("fw/gw-x2.bin");
        Assert.Equal(sha, entry.GetProperty("hashes").GetProperty("sha256").GetString());
        Assert.Equal("gw-x2", entry.GetProperty("custom").GetProperty("hardware").GetString());
        var verify = await fixture.VerifyAsync("--json");
        Assert.True(verify.ExitCode == 0, verify.Error);
        using var report = JsonDocument.Parse(verify.Output);
        Assert.Equal("fw/gw-x2.bin", report.RootElement.GetProperty("targets")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("../escape.bin")]
    [InlineData("/abs.bin")]
    [InlineData("a//b.bin")]
    [InlineData("dir\\x.bin")]
    public async Task Add_BadTargetName_Exit2AndRepositoryUnchanged(string name)
    {
        using var fixture = await RepoFixture.CreateAsync();
        var file = fixture.WriteFile("f.bin", "x");
        var before = DirectorySnapshot.Take(fixture.Temp.Path);

        var result = await fixture.AddAsync(file, "--name", name);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("target name", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(fixture.Temp.Path));
    }

    [Fact]
    public async Task Add_WrongTargetsKey_Exit2AndRepositoryUnchanged()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var file = fixture.WriteFile("f.bin", "x");
        var other = TestKeys.Create(fixture.Temp.Path, "other");
        var before = DirectorySnapshot.Take(fixture.Repo);

        var result = await fixture.Runner.RunAsync(
            "repo", "add", fixture.Repo, file, "--targets-key", other, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not the repository's targets key", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(fixture.Repo));
    }

    [Fact]
    public async Task Add_MissingFile_Exit2()
    {
        using var fixture = await RepoFixture.CreateAsync();

        var result = await fixture.AddAsync(fixture.Temp.Combine("nope.bin"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_CustomWithoutEquals_Exit2()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var file = fixture.WriteFile("f.bin", "x");

        var result = await fixture.AddAsync(file, "--custom", "novalue");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("KEY=VALUE", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_OnlineKeyPastLifetime_RefusedWithRotateHint()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var file = fixture.WriteFile("f.bin", "x");
        fixture.Time.Advance(TimeSpan.FromDays(91));
        var before = DirectorySnapshot.Take(fixture.Repo);

        var result = await fixture.AddAsync(file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("expired", result.Error, StringComparison.Ordinal);
        Assert.Contains("otter repo rotate", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(fixture.Repo));
    }

    [Fact]
    public async Task Rotate_TargetsKey_NewKeySignsAndClientFollows()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var file = fixture.WriteFile("f.bin", "payload");
        Assert.Equal(0, (await fixture.AddAsync(file)).ExitCode);
        var newTargets = TestKeys.Create(fixture.Temp.Path, "targets2");

        var rotate = await fixture.Runner.RunAsync(
            "repo", "rotate", fixture.Repo, "--role", "targets", "--new-key", newTargets, "--root-key", fixture.RootKey,
            "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);

        Assert.True(rotate.ExitCode == 0, rotate.Error);
        Assert.True(File.Exists(Path.Combine(fixture.Repo, "metadata", "2.root.json")));
        var verify = await fixture.VerifyAsync();
        Assert.True(verify.ExitCode == 0, verify.Error);
        var oldKeyAdd = await fixture.AddAsync(file, "--name", "again.bin");
        Assert.Equal(2, oldKeyAdd.ExitCode);
        var newKeyAdd = await fixture.Runner.RunAsync(
            "repo", "add", fixture.Repo, file, "--name", "again.bin", "--targets-key", newTargets, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);
        Assert.True(newKeyAdd.ExitCode == 0, newKeyAdd.Error);
    }

    [Fact]
    public async Task Rotate_RootKey_NewRootSignedByOldAndNew()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var newRoot = TestKeys.Create(fixture.Temp.Path, "root-new");

        var rotate = await fixture.Runner.RunAsync(
            "repo", "rotate", fixture.Repo, "--role", "root", "--new-key", newRoot, "--root-key", fixture.RootKey);

        Assert.True(rotate.ExitCode == 0, rotate.Error);
        using var root2 = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(fixture.Repo, "metadata", "2.root.json")));
        Assert.Equal(2, root2.RootElement.GetProperty("signatures").GetArrayLength());
        var verify = await fixture.VerifyAsync("--json");
        Assert.True(verify.ExitCode == 0, verify.Error);
        using var report = JsonDocument.Parse(verify.Output);
        Assert.Equal(2, report.RootElement.GetProperty("root_version").GetInt64());
    }

    [Fact]
    public async Task Rotate_RootWithoutCurrentRootKey_Exit2AndUnchanged()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var newRoot = TestKeys.Create(fixture.Temp.Path, "root-new");
        var before = DirectorySnapshot.Take(fixture.Repo);

        var rotate = await fixture.Runner.RunAsync(
            "repo", "rotate", fixture.Repo, "--role", "root", "--new-key", newRoot, "--root-key", newRoot);

        Assert.Equal(2, rotate.ExitCode);
        Assert.Contains("current root keys", rotate.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(fixture.Repo));
    }

    [Fact]
    public async Task Rotate_TargetsWithoutSnapshotKey_Exit2()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var newTargets = TestKeys.Create(fixture.Temp.Path, "targets2");

        var rotate = await fixture.Runner.RunAsync(
            "repo", "rotate", fixture.Repo, "--role", "targets", "--new-key", newTargets, "--root-key", fixture.RootKey);

        Assert.Equal(2, rotate.ExitCode);
        Assert.Contains("--snapshot-key", rotate.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_ExpiredTimestampKey_RotationRestoresService()
    {
        using var fixture = await RepoFixture.CreateAsync();
        fixture.Time.Advance(TimeSpan.FromDays(100));
        var newTimestamp = TestKeys.Create(fixture.Temp.Path, "timestamp2");
        Assert.Equal(2, (await fixture.Runner.RunAsync("repo", "refresh", fixture.Repo, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey)).ExitCode);
        var newSnapshot = TestKeys.Create(fixture.Temp.Path, "snapshot2");

        var rotateTimestamp = await fixture.Runner.RunAsync(
            "repo", "rotate", fixture.Repo, "--role", "timestamp", "--new-key", newTimestamp, "--root-key", fixture.RootKey);
        var rotateSnapshot = await fixture.Runner.RunAsync(
            "repo", "rotate", fixture.Repo, "--role", "snapshot", "--new-key", newSnapshot, "--root-key", fixture.RootKey, "--timestamp-key", newTimestamp);

        Assert.True(rotateTimestamp.ExitCode == 0, rotateTimestamp.Error);
        Assert.True(rotateSnapshot.ExitCode == 0, rotateSnapshot.Error);
    }

    [Fact]
    public async Task Refresh_BeforeExpiry_NewSnapshotAndTimestampVerify()
    {
        using var fixture = await RepoFixture.CreateAsync();
        fixture.Time.Advance(TimeSpan.FromHours(20));

        var refresh = await fixture.Runner.RunAsync("repo", "refresh", fixture.Repo, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);
        fixture.Time.Advance(TimeSpan.FromHours(20));
        var verify = await fixture.VerifyAsync();

        Assert.True(refresh.ExitCode == 0, refresh.Error);
        Assert.True(File.Exists(Path.Combine(fixture.Repo, "metadata", "2.snapshot.json")));
        Assert.True(verify.ExitCode == 0, verify.Error);
    }

    [Fact]
    public async Task Verify_ExpiredTimestamp_Exit1()
    {
        using var fixture = await RepoFixture.CreateAsync();
        fixture.Time.Advance(TimeSpan.FromDays(2));

        var verify = await fixture.VerifyAsync();

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("expired", verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_SubstitutedTarget_Exit1()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var file = fixture.WriteFile("f.bin", "genuine firmware");
        Assert.Equal(0, (await fixture.AddAsync(file)).ExitCode);
        var stored = Directory.GetFiles(Path.Combine(fixture.Repo, "targets")).Single();
        await File.WriteAllTextAsync(stored, "evil firmware!!!");

        var verify = await fixture.VerifyAsync();

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("FAILED", verify.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"signed\": {\"_type\": \"timestamp\"")]
    [InlineData("{\"signed\": {\"_type\": \"timestamp\", \"version\": \"two\"}, \"signatures\": []}")]
    [InlineData("[1,2,3]")]
    [InlineData("")]
    public async Task Verify_MalformedTimestamp_Exit1WithoutStackTrace(string content)
    {
        using var fixture = await RepoFixture.CreateAsync();
        await File.WriteAllTextAsync(Path.Combine(fixture.Repo, "metadata", "timestamp.json"), content);

        var verify = await fixture.VerifyAsync();

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("timestamp.json", verify.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_HugeTimestamp_Exit1()
    {
        using var fixture = await RepoFixture.CreateAsync();
        await File.WriteAllBytesAsync(Path.Combine(fixture.Repo, "metadata", "timestamp.json"), new byte[10 * 1024 * 1024]);

        var verify = await fixture.VerifyAsync();

        Assert.Equal(1, verify.ExitCode);
    }

    [Fact]
    public async Task Verify_TamperedTargetsMetadata_Exit1()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var path = Path.Combine(fixture.Repo, "metadata", "1.targets.json");
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text.Replace("\"targets\": {}", "\"targets\": {\"x\": {\"length\": 1, \"hashes\": {\"sha256\": \"00\"}}}", StringComparison.Ordinal));

        var verify = await fixture.VerifyAsync();

        Assert.Equal(1, verify.ExitCode);
    }

    [Theory]
    [InlineData("ed25519", "ed25519")]
    [InlineData("rsa", "rsassa-pss-sha256")]
    public async Task Verify_TrustedRootWithUnknownKeyType_Exit1(string keyType, string scheme)
    {
        using var fixture = await RepoFixture.CreateAsync();
        var text = await File.ReadAllTextAsync(fixture.TrustedRoot);
        await File.WriteAllTextAsync(fixture.TrustedRoot, text
            .Replace("\"keytype\": \"ecdsa\"", $"\"keytype\": \"{keyType}\"", StringComparison.Ordinal)
            .Replace("\"scheme\": \"ecdsa-sha2-nistp256\"", $"\"scheme\": \"{scheme}\"", StringComparison.Ordinal));

        var verify = await fixture.VerifyAsync();

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("key type", verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_MissingTrustedRoot_Exit2()
    {
        using var fixture = await RepoFixture.CreateAsync();

        var verify = await fixture.Runner.RunAsync("repo", "verify", fixture.Repo, "--trusted-root", fixture.Temp.Combine("none.json"));

        Assert.Equal(2, verify.ExitCode);
        Assert.Contains("does not exist", verify.Error, StringComparison.Ordinal);
    }
}
