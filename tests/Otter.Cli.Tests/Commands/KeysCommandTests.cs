using System.Security.Cryptography;
using System.Text.Json;
using Otter.Cli.Tests.TestSupport;

namespace Otter.Cli.Tests.Commands;

public sealed class KeysCommandTests
{
    [Fact]
    public async Task Generate_NewPath_WritesEncryptedKeyAndPrintsKeyId()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("new.key");

        var result = await new OtterRunner().RunAsync("keys", "generate", "--out", path, "--json");

        Assert.Equal(0, result.ExitCode);
        var text = await File.ReadAllTextAsync(path);
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", text, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN PRIVATE KEY", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Output);
        var keyId = json.RootElement.GetProperty("key_id").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", keyId);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task Generate_ExistingFile_Exit2AndFileUnchanged()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("taken.key");
        await File.WriteAllTextAsync(path, "keep me");

        var result = await new OtterRunner().RunAsync("keys", "generate", "--out", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("already exists", result.Error, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Show_KeyFile_PrintsKeyIdAndPem()
    {
        using var temp = new TempDirectory();
        var path = TestKeys.Create(temp.Path, "k");

        var result = await new OtterRunner().RunAsync("keys", "show", path, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var pem = json.RootElement.GetProperty("public_key_pem").GetString()!;
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", pem, StringComparison.Ordinal);
        var expectedId = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            "{\"keytype\":\"ecdsa\",\"keyval\":{\"public\":\"" + pem + "\"},\"scheme\":\"ecdsa-sha2-nistp256\"}")));
        Assert.Equal(expectedId, json.RootElement.GetProperty("key_id").GetString());
    }

    [Theory]
    [InlineData("garbage", "no PEM key")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n", "unencrypted")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n", "RSA")]
    public async Task Show_BadKeyFile_Exit2WithClearMessage(string content, string expected)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("bad.key");
        await File.WriteAllTextAsync(path, content);

        var result = await new OtterRunner().RunAsync("keys", "show", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_MissingFile_Exit2()
    {
        var result = await new OtterRunner().RunAsync("keys", "show", "/nonexistent/otter.key");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_HugeFile_Exit2()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("huge.key");
        await File.WriteAllBytesAsync(path, new byte[1024 * 1024]);

        var result = await new OtterRunner().RunAsync("keys", "show", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("too large", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_NewRepository_ShowsNinetyDaysPerOnlineRole()
    {
        using var fixture = await RepoFixture.CreateAsync();

        var result = await fixture.Runner.RunAsync("keys", "status", fixture.Repo, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var roles = json.RootElement.GetProperty("roles").EnumerateArray().ToDictionary(r => r.GetProperty("role").GetString()!);
        foreach (var role in new[] { "targets", "snapshot", "timestamp" })
        {
            Assert.Equal(90.0, roles[role].GetProperty("key_days_left").GetDouble());
        }

        Assert.Equal(JsonValueKind.Null, roles["root"].GetProperty("key_days_left").ValueKind);
        var table = await fixture.Runner.RunAsync("keys", "status", fixture.Repo);
        Assert.Contains("KEY DAYS LEFT", table.Output, StringComparison.Ordinal);
        Assert.Contains("90.0", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AfterTenDays_CountsDown()
    {
        using var fixture = await RepoFixture.CreateAsync();
        fixture.Time.Advance(TimeSpan.FromDays(10));

        var result = await fixture.Runner.RunAsync("keys", "status", fixture.Repo, "--json");

        using var json = JsonDocument.Parse(result.Output);
        var targets = json.RootElement.GetProperty("roles").EnumerateArray().Single(r => r.GetProperty("role").GetString() == "targets");
        Assert.Equal(80.0, targets.GetProperty("key_days_left").GetDouble());
    }
}
