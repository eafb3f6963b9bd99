using System.Text;
using System.Text.Json;
using Otter.Cli.Tests.TestSupport;

namespace Otter.Cli.Tests.Interop;

/// <summary>
/// Interoperability with tuf-js, an independent TUF implementation (tests/interop/tuf-js):
/// tuf-js's client must accept what Otter writes, and Otter's client what tuf-js's models write.
/// These run on the real clock, since tuf-js checks expiry against it.
/// </summary>
public sealed class TufJsInteropTests
{
    [RequiresNodeInteropFact]
    public async Task TufJsClient_OtterRepository_DownloadsTarget()
    {
        NodeInterop.Require();
        using var temp = new TempDirectory();
        var runner = new OtterRunner(TimeProvider.System);
        var (repo, trustedRoot, rootKey, targetsKey, snapshotKey, timestampKey) = await InitOtterRepoAsync(temp, runner);
        var newTargetsKey = TestKeys.Create(temp.Path, "targets2");
        var newRootKey = TestKeys.Create(temp.Path, "root2");

        var app = temp.Combine("app.bin");
        await File.WriteAllBytesAsync(app, Encoding.UTF8.GetBytes("application image v1\n"));
        var firmware = temp.Combine("gw-x2.bin");
        await File.WriteAllBytesAsync(firmware, Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 256)).ToArray());
        await RunOtterAsync(runner, "repo", "add", repo, app,
            "--targets-key", targetsKey, "--snapshot-key", snapshotKey, "--timestamp-key", timestampKey);
        await RunOtterAsync(runner, "repo", "add", repo, firmware, "--name", "fw/gw.bin", "--custom", "version=1.2.3",
            "--targets-key", targetsKey, "--snapshot-key", snapshotKey, "--timestamp-key", timestampKey);

        // root v2 moves targets to a new key; root v3 moves root itself, so a client starting
        // from 1.root.json must walk 1 -> 2 -> 3.
        await RunOtterAsync(runner, "repo", "rotate", repo, "--role", "targets", "--new-key", newTargetsKey, "--root-key", rootKey,
            "--snapshot-key", snapshotKey, "--timestamp-key", timestampKey);
        await RunOtterAsync(runner, "repo", "rotate", repo, "--role", "root", "--new-key", newRootKey, "--root-key", rootKey);
        Assert.True(File.Exists(Path.Combine(repo, "metadata", "3.root.json")), "the two rotations should have written 3.root.json");

        foreach (var (name, original, version) in new[] { ("app.bin", app, null), ("fw/gw.bin", firmware, "1.2.3") })
        {
            var output = temp.Combine("downloads", name.Replace('/', '_'));
            var result = await NodeInterop.RunAsync("client.mjs", [repo, trustedRoot, name, output]);

            Assert.True(result.ExitCode == 0, $"tuf-js rejected Otter's repository for {name}: {NodeInterop.Describe(result)}");
            Assert.Equal(await File.ReadAllBytesAsync(original), await File.ReadAllBytesAsync(output));
            using var report = JsonDocument.Parse(LastLine(result.Output));
            Assert.True(report.RootElement.GetProperty("ok").GetBoolean(), result.Output);
            Assert.Equal(3, report.RootElement.GetProperty("root").GetInt32());
            Assert.Equal(name, report.RootElement.GetProperty("target").GetString());
            var keyIds = report.RootElement.GetProperty("keyIds");
            Assert.True(keyIds.GetProperty("checked").GetInt32() > 0, result.Output);
            Assert.True(keyIds.GetProperty("mismatched").GetArrayLength() == 0, $"Otter key ids are not SHA-256 of the canonical key JSON: {result.Output}");
            if (version is not null)
            {
                Assert.Equal(version, report.RootElement.GetProperty("custom").GetProperty("version").GetString());
            }
        }
    }

    [RequiresNodeInteropFact]
    public async Task TufJsClient_TamperedOtterTarget_Rejects()
    {
        NodeInterop.Require();
        using var temp = new TempDirectory();
        var runner = new OtterRunner(TimeProvider.System);
        var keys = await InitOtterRepoAsync(temp, runner);
        var file = temp.Combine("app.bin");
        await File.WriteAllBytesAsync(file, Encoding.UTF8.GetBytes("application image v1\n"));
        await RunOtterAsync(runner, "repo", "add", keys.Repo, file,
            "--targets-key", keys.Targets, "--snapshot-key", keys.Snapshot, "--timestamp-key", keys.Timestamp);
        var stored = Assert.Single(Directory.GetFiles(Path.Combine(keys.Repo, "targets"), "*.app.bin"));
        var bytes = await File.ReadAllBytesAsync(stored);
        bytes[0] ^= 0x01; // same length, different hash
        await File.WriteAllBytesAsync(stored, bytes);

        var output = temp.Combine("downloaded.bin");
        var result = await NodeInterop.RunAsync("client.mjs", [keys.Repo, keys.TrustedRoot, "app.bin", output]);

        Assert.True(result.ExitCode == 1, $"tuf-js should reject the tampered target: {NodeInterop.Describe(result)}");
        Assert.Contains("hash", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(output), "tuf-js must not hand out a target that failed verification");
    }

    [RequiresNodeInteropFact]
    public async Task OtterVerify_TufJsRepository_Succeeds()
    {
        NodeInterop.Require();
        using var temp = new TempDirectory();
        var repo = await MakeTufJsRepoAsync(temp, "fw/foreign.bin", "firmware built elsewhere\n");

        var result = await new OtterRunner(TimeProvider.System).RunAsync(
            "repo", "verify", repo, "--trusted-root", Path.Combine(repo, "metadata", "1.root.json"), "--json");

        Assert.True(result.ExitCode == 0, $"otter rejected tuf-js's repository: {result.Error}\n{result.Output}");
        using var report = JsonDocument.Parse(result.Output);
        Assert.True(report.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(2, report.RootElement.GetProperty("root_version").GetInt64());
        var target = Assert.Single(report.RootElement.GetProperty("targets").EnumerateArray());
        Assert.Equal("fw/foreign.bin", target.GetProperty("name").GetString());
        Assert.True(target.GetProperty("ok").GetBoolean());
    }

    [RequiresNodeInteropFact]
    public async Task OtterVerify_TamperedTufJsTargetsMetadata_Exit1()
    {
        NodeInterop.Require();
        using var temp = new TempDirectory();
        var repo = await MakeTufJsRepoAsync(temp, "fw/foreign.bin", "firmware built elsewhere\n");
        var targetsPath = Path.Combine(repo, "metadata", "1.targets.json");
        var text = await File.ReadAllTextAsync(targetsPath);
        var marker = "\"sha256\": \"";
        var at = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        Assert.True(at >= marker.Length, "1.targets.json should list the target's sha256");
        var tampered = text[..at] + (text[at] == '0' ? '1' : '0') + text[(at + 1)..];
        await File.WriteAllTextAsync(targetsPath, tampered);

        var result = await new OtterRunner(TimeProvider.System).RunAsync(
            "repo", "verify", repo, "--trusted-root", Path.Combine(repo, "metadata", "1.root.json"));

        Assert.True(result.ExitCode == 1, $"otter should reject tampered targets metadata: exit {result.ExitCode}\n{result.Error}\n{result.Output}");
        Assert.Contains("verification failed", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Keys and an initialised repository in <c>repo/</c>, on the real clock (RepoFixture's clock
    /// is fixed, and tuf-js checks expiry against the real one), with a copy of 1.root.json.
    /// </summary>
    private static async Task<(string Repo, string TrustedRoot, string Root, string Targets, string Snapshot, string Timestamp)> InitOtterRepoAsync(
        TempDirectory temp, OtterRunner runner)
    {
        var repo = temp.Combine("repo");
        var root = TestKeys.Create(temp.Path, "root");
        var targets = TestKeys.Create(temp.Path, "targets");
        var snapshot = TestKeys.Create(temp.Path, "snapshot");
        var timestamp = TestKeys.Create(temp.Path, "timestamp");
        await RunOtterAsync(runner, "repo", "init", repo, "--root-key", root,
            "--targets-key", targets, "--snapshot-key", snapshot, "--timestamp-key", timestamp);
        var trustedRoot = temp.Combine("trusted-root.json");
        File.Copy(Path.Combine(repo, "metadata", "1.root.json"), trustedRoot);
        return (repo, trustedRoot, root, targets, snapshot, timestamp);
    }

    private static async Task<string> MakeTufJsRepoAsync(TempDirectory temp, string targetName, string content)
    {
        var file = temp.Combine("payload.bin");
        await File.WriteAllTextAsync(file, content);
        var repo = temp.Combine("tuf-js-repo");
        var result = await NodeInterop.RunAsync("make-repo.mjs", [repo, targetName, file, "--rotate-root"]);
        Assert.True(result.ExitCode == 0, $"make-repo.mjs failed: {NodeInterop.Describe(result)}");
        foreach (var name in new[] { "1.root.json", "2.root.json", "root.json", "1.targets.json", "1.snapshot.json", "timestamp.json" })
        {
            Assert.True(File.Exists(Path.Combine(repo, "metadata", name)), $"make-repo.mjs did not write metadata/{name}");
        }

        return repo;
    }

    private static async Task RunOtterAsync(OtterRunner runner, params string[] args)
    {
        var result = await runner.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"otter {string.Join(' ', args.Take(2))} failed with exit {result.ExitCode}: {result.Error}");
    }

    private static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
}
