using System.Security.Cryptography;
using System.Text.Json;
using Otter.Cli.Cli;
using Otter.Cli.Tests.TestSupport;
using Otter.Protocol;
using Otter.Protocol.Management;

namespace Otter.Cli.Tests.Commands;

public sealed class ReleaseCommandTests(ManagementServer server) : IClassFixture<ManagementServer>
{
    [Fact]
    public async Task Publish_RealBundleWithLogKey_VerifiesProofAndSignatureAndListsIt()
    {
        var bundle = await server.CreateBundleAsync("2.1.0", "gw-x2", securityCounter: 7);
        var name = ManagementServer.Unique("gw-x2/fw") + ".otb";

        var result = await server.RunAsync("release", "publish", bundle, "--name", name, "--log-key", server.LogKeyFile, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonSerializer.Deserialize(result.Output, ManagementJsonContext.Default.PublishReport)!;
        Assert.True(report.InclusionVerified);
        Assert.True(report.CheckpointSignatureVerified);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(bundle)));
        Assert.Equal((name, "2.1.0", "gw-x2", 7L, sha256), (report.Release.Name, report.Release.Version, report.Release.Hardware, report.Release.SecurityCounter, report.Release.Sha256));

        var list = await server.RunOkAsync("release", "list", "--json");
        var listed = Assert.Single(JsonSerializer.Deserialize(list.Output, ProtocolJsonContext.Default.ListReleaseInfo)!, r => r.Name == name);
        Assert.Equal((sha256, report.Release.LogIndex), (listed.Sha256, listed.LogIndex));
    }

    [Fact]
    public async Task Publish_HumanOutput_PrintsReleaseAndVerifiedProof()
    {
        var bundle = await server.CreateBundleAsync("3.0.0", "gw-x3", securityCounter: 2);
        var name = ManagementServer.Unique("fw") + ".otb";

        var result = await server.RunAsync("release", "publish", bundle, "--name", name);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"published {name}\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  version:          3.0.0\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  hardware:         gw-x3\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  security counter: 2\n", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"  log index:        \d+ in otter\.test/otter-log \(tree size \d+\)\n", result.Output);
        Assert.Contains("  inclusion proof:  verified against the checkpoint's root", result.Output, StringComparison.Ordinal);
        Assert.Empty(result.Error);

        var list = await server.RunOkAsync("release", "list");
        Assert.Matches($"(?m)^{System.Text.RegularExpressions.Regex.Escape(name)} +3\\.0\\.0 +gw-x3 +2 ", list.Output);
    }

    [Fact]
    public async Task Publish_BigFileOnTerminal_DrawsProgressOnStderrOnly()
    {
        var bundle = await server.CreateBundleAsync("4.0.0", "gw-x2", size: 9 * 1024 * 1024);
        var runner = new OtterRunner(TimeProvider.System) { ErrorIsTerminal = true };

        var result = await runner.RunAsync(["release", "publish", bundle, "--name", ManagementServer.Unique("big") + ".otb", .. server.ConnectionArguments(server.Server.AdminKey)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^(\ruploading release\.otb: +\d+% \(\d+\.\d of 9\.0 MiB\))+\n$", result.Error);
        Assert.EndsWith("100% (9.0 of 9.0 MiB)\n", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("published ", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_StderrNotTerminal_NoProgress()
    {
        var bundle = await server.CreateBundleAsync("4.0.1", "gw-x2", size: 9 * 1024 * 1024);

        var result = await server.RunAsync("release", "publish", bundle, "--name", ManagementServer.Unique("quiet") + ".otb");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Publish_TraversalName_Exit2WithServerMessageAndNothingListed()
    {
        var bundle = await server.CreateBundleAsync("1.0.0", "gw-x2");
        var name = "../" + ManagementServer.Unique("escape") + ".otb";

        var result = await server.RunAsync("release", "publish", bundle, "--name", name);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            $"otter: the server refused (400 Bad Request): release name \"{name}\" has an empty, '.' or '..' path segment; target names may not leave the targets directory; choose another name.\n",
            result.Error);
        Assert.Empty(result.Output);
        var list = await server.RunOkAsync("release", "list", "--json");
        Assert.DoesNotContain(JsonSerializer.Deserialize(list.Output, ProtocolJsonContext.Default.ListReleaseInfo)!, r => r.Name.Contains("escape", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(server.Server.DataDirectory, Path.GetFileName(name))));
    }

    [Fact]
    public async Task Publish_WrongApiKey_Exit1SaysKeyNotValid()
    {
        var bundle = await server.CreateBundleAsync("1.0.0", "gw-x2");

        var result = await server.RunAsAsync("otter_0123456789ab_not-the-secret", "release", "publish", bundle, "--name", ManagementServer.Unique("fw"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("otter: the server refused (401 Unauthorized): the API key is not valid; check OTTER_API_KEY or --api-key.\n", result.Error);
    }

    [Fact]
    public async Task Publish_AuditorKey_Exit1WithForbiddenRole()
    {
        var auditor = await server.CreateKeyAsync(Roles.Auditor);
        var bundle = await server.CreateBundleAsync("1.0.0", "gw-x2");
        var name = ManagementServer.Unique("fw");

        var result = await server.RunAsAsync(auditor, "release", "publish", bundle, "--name", name);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("otter: the server refused (403 Forbidden): the API key auditor-", result.Error, StringComparison.Ordinal);
        Assert.EndsWith(" has role auditor; this needs admin or release-manager.\n", result.Error, StringComparison.Ordinal);
        var list = await server.RunOkAsync("release", "list", "--json");
        Assert.DoesNotContain(JsonSerializer.Deserialize(list.Output, ProtocolJsonContext.Default.ListReleaseInfo)!, r => r.Name == name);
    }

    [Fact]
    public async Task Publish_SameNameTwice_SecondExit1WithConflict()
    {
        var name = await server.PublishAsync("gw-x2");
        var bundle = await server.CreateBundleAsync("1.0.1", "gw-x2");

        var result = await server.RunAsync("release", "publish", bundle, "--name", name);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(409 Conflict): a release named " + name + " is already published", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_LogKeyOfAnotherLog_Exit1SaysPublishedButUnproven()
    {
        var bundle = await server.CreateBundleAsync("1.0.0", "gw-x2");
        var otherKey = TestKeys.Create(server.WorkDirectory, ManagementServer.Unique("other-log"));
        var name = ManagementServer.Unique("fw");

        var result = await server.RunAsync("release", "publish", bundle, "--name", name, "--log-key", otherKey);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"otter: {name} was published, but its transparency log proof does not verify: ", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("Do not assign it; report this to the server's operators.\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_LogKeyNotAKey_Exit2BeforeUploading()
    {
        var bundle = await server.CreateBundleAsync("1.0.0", "gw-x2");
        var notAKey = Path.Combine(server.WorkDirectory, ManagementServer.Unique("not-a-key"));
        await File.WriteAllTextAsync(notAKey, "hello");
        var name = ManagementServer.Unique("fw");

        var result = await server.RunAsync("release", "publish", bundle, "--name", name, "--log-key", notAKey);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: --log-key {notAKey} is not a usable log key: a verifier key has the form name+hexid+base64key.\n", result.Error);
        var list = await server.RunOkAsync("release", "list", "--json");
        Assert.DoesNotContain(JsonSerializer.Deserialize(list.Output, ProtocolJsonContext.Default.ListReleaseInfo)!, r => r.Name == name);
    }

    [Fact]
    public async Task Publish_VerifierKeyOfTheLog_VerifiesSignature()
    {
        var bundle = await server.CreateBundleAsync("1.0.0", "gw-x2");
        var verifierKey = Path.Combine(server.WorkDirectory, ManagementServer.Unique("vkey"));
        var pem = await File.ReadAllTextAsync(server.LogKeyFile);
        await File.WriteAllTextAsync(verifierKey, Otter.Ledger.Notes.NoteKey.FromPem("otter.test/otter-log", pem).VerifierKey);

        var result = await server.RunAsync("release", "publish", bundle, "--name", ManagementServer.Unique("fw"), "--log-key", verifierKey, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(JsonSerializer.Deserialize(result.Output, ManagementJsonContext.Default.PublishReport)!.CheckpointSignatureVerified);
    }

    [Fact]
    public async Task Publish_MissingFile_Exit2BeforeContactingServer()
    {
        var missing = Path.Combine(server.WorkDirectory, "no-such.otb");

        var result = await server.Runner.RunAsync("release", "publish", missing, "--name", "fw.otb", "--server", "https://127.0.0.1:1", "--api-key", "otter_0123456789ab_x");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: {missing} does not exist or is not a file; give a bundle made with `otter bundle create`.\n", result.Error);
    }

    [Fact]
    public async Task Publish_NotABundle_Exit2BeforeUploading()
    {
        var file = Path.Combine(server.WorkDirectory, ManagementServer.Unique("junk"));
        await File.WriteAllTextAsync(file, "this is not a bundle, just some text");

        var result = await server.Runner.RunAsync("release", "publish", file, "--name", ManagementServer.Unique("fw"), "--server", "https://127.0.0.1:1", "--api-key", "otter_0123456789ab_x");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: {file}: the file is not an Otter bundle (it does not start with OTTERBD1); build bundles with `otter bundle create`.\n", result.Error);
    }

    [Fact]
    public async Task Publish_TruncatedBundle_Exit2BeforeUploading()
    {
        var bundle = await server.CreateBundleAsync("1.0.0", "gw-x2");
        var length = new FileInfo(bundle).Length;
        await using (var file = File.OpenWrite(bundle))
        {
            file.SetLength(length - 10);
        }

        var result = await server.RunAsync("release", "publish", bundle, "--name", ManagementServer.Unique("fw"));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"otter: {bundle} is not a valid Otter bundle: the bundle's manifest describes {length} bytes but the release is {length - 10} bytes long", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_CorruptStage_Exit2WithServerMessageAndNothingListed()
    {
        var bundle = await server.CreateBundleAsync("1.0.0", "gw-x2");
        var bytes = await File.ReadAllBytesAsync(bundle);
        bytes[^1] ^= 0xff;
        await File.WriteAllBytesAsync(bundle, bytes);
        var name = ManagementServer.Unique("corrupt");

        var result = await server.RunAsync("release", "publish", bundle, "--name", name);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: the server refused (400 Bad Request): the upload is not a valid Otter bundle: stage \"os\" does not match its SHA-256 in the boot manifest; the bundle is corrupt or was altered. (make one with `otter bundle create`).\n", result.Error);
        var list = await server.RunOkAsync("release", "list", "--json");
        Assert.DoesNotContain(JsonSerializer.Deserialize(list.Output, ProtocolJsonContext.Default.ListReleaseInfo)!, r => r.Name == name);
    }
}
