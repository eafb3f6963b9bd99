using System.Text.Json;
using Otter.Cli.Tests.TestSupport;
using Otter.Trust.Keys;

namespace Otter.Cli.Tests.Commands;

/// <summary>A key argument is a file or a pkcs11: URI anywhere: the online targets key inside a SoftHSM2 token.</summary>
[Collection(SoftHsmCollectionDefinition.Name)]
public sealed class RepoCommandPkcs11Tests(SoftHsmFixture hsm)
{
    [RequiresSoftHsmFact]
    public async Task InitAddVerify_TargetsKeyInToken_SignsThroughTheTokenAndVerifies()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var key = hsm.Token["targets"];
        var uri = key.Uri(hsm.Token.UserPin);
        var file = fixture.WriteFile("fw.bin", "signed in hardware");

        var show = await fixture.Runner.RunAsync("keys", "show", uri, "--json");
        var init = await fixture.Runner.RunAsync(
            "repo", "init", fixture.Repo, "--root-key", fixture.RootKey,
            "--targets-key", uri, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);
        File.Copy(Path.Combine(fixture.Repo, "metadata", "1.root.json"), fixture.TrustedRoot);
        var add = await fixture.Runner.RunAsync(
            "repo", "add", fixture.Repo, file, "--targets-key", uri, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);
        var verify = await fixture.VerifyAsync();

        Assert.True(show.ExitCode == 0, show.Error);
        Assert.True(init.ExitCode == 0, init.Error);
        Assert.True(add.ExitCode == 0, add.Error);
        Assert.True(verify.ExitCode == 0, verify.Error);
        using var shown = JsonDocument.Parse(show.Output);
        var keyId = shown.RootElement.GetProperty("key_id").GetString();
        Assert.True(shown.RootElement.GetProperty("hardware").GetBoolean());
        Assert.Equal(KeyIds.Compute(EcdsaP256.ToTufKeyFromPem(key.PublicKeyPem!)), keyId);
        using var root = JsonDocument.Parse(await File.ReadAllBytesAsync(fixture.TrustedRoot));
        Assert.Equal(keyId, root.RootElement.GetProperty("signed").GetProperty("roles").GetProperty("targets").GetProperty("keyids")[0].GetString());
        Assert.DoesNotContain(hsm.Token.UserPin, show.Output + init.Output + init.Error + add.Output + add.Error, StringComparison.Ordinal);
    }

    [RequiresSoftHsmFact]
    public async Task Add_TokenKeyThatIsNotTheTargetsKey_Exit2AndRepositoryUnchanged()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var uri = hsm.Token["snapshot"].Uri(hsm.Token.UserPin);
        var file = fixture.WriteFile("fw.bin", "x");
        var before = DirectorySnapshot.Take(fixture.Repo);

        var add = await fixture.Runner.RunAsync(
            "repo", "add", fixture.Repo, file, "--targets-key", uri, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);

        Assert.Equal(2, add.ExitCode);
        Assert.Contains("is not the repository's targets key", add.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(hsm.Token.UserPin, add.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(fixture.Repo));
    }
}
