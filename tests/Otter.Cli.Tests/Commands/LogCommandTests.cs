using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Otter.Cli.Tests.TestSupport;
using Otter.Ledger.Records;

namespace Otter.Cli.Tests.Commands;

public sealed class LogCommandTests
{
    private const string Origin = "fleet.example/otter-log";

    [Fact]
    public async Task Init_NewDirectory_PrintsVerifierKeyAndSignsEmptyCheckpoint()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var logKey = TestKeys.Create(fixture.Temp.Path, "log");
        var log = fixture.Temp.Combine("log");

        var init = await fixture.Runner.RunAsync("log", "init", log, "--key", logKey, "--origin", Origin, "--json");
        var checkpoint = await fixture.Runner.RunAsync("log", "checkpoint", log);

        Assert.True(init.ExitCode == 0, init.Error);
        using var json = JsonDocument.Parse(init.Output);
        Assert.StartsWith(Origin + "+", json.RootElement.GetProperty("verifierKey").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, checkpoint.ExitCode);
        Assert.StartsWith($"{Origin}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\u2014 {Origin} ", checkpoint.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_ExistingLog_Exit2AndUnchanged()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, logKey) = await InitLogAsync(fixture);
        var before = DirectorySnapshot.Take(log);

        var again = await fixture.Runner.RunAsync("log", "init", log, "--key", logKey, "--origin", Origin);

        Assert.Equal(2, again.ExitCode);
        Assert.Equal(before, DirectorySnapshot.Take(log));
    }

    [Fact]
    public async Task Init_OriginWithSpace_Exit2AndNoDirectory()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var logKey = TestKeys.Create(fixture.Temp.Path, "log");
        var log = fixture.Temp.Combine("log");

        var init = await fixture.Runner.RunAsync("log", "init", log, "--key", logKey, "--origin", "bad origin");

        Assert.Equal(2, init.ExitCode);
        Assert.Contains("--origin", init.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(log));
    }

    [Fact]
    public async Task Append_ThreeFiles_PrintsIndexAndBase64LeafHashPerEntry()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, logKey) = await InitLogAsync(fixture);
        var files = new[] { "one", "two", "three" }.Select(t => fixture.WriteFile(t + ".txt", t)).ToArray();

        var append = await fixture.Runner.RunAsync(["log", "append", log, "--key", logKey, .. files]);

        Assert.True(append.ExitCode == 0, append.Error);
        var lines = append.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        for (var i = 0; i < 3; i++)
        {
            var expected = Convert.ToBase64String(SHA256.HashData([0x00, .. Encoding.UTF8.GetBytes(new[] { "one", "two", "three" }[i])]));
            Assert.Equal($"{i} {expected}", lines[i]);
        }
    }

    [Fact]
    public async Task Append_WrongKey_Exit2AndLogUnchanged()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, _) = await InitLogAsync(fixture);
        var other = TestKeys.Create(fixture.Temp.Path, "other");
        var file = fixture.WriteFile("e.txt", "entry");
        var before = DirectorySnapshot.Take(log);

        var append = await fixture.Runner.RunAsync("log", "append", log, "--key", other, file);

        Assert.Equal(2, append.ExitCode);
        Assert.Contains("not this log's key", append.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(log));
    }

    [Fact]
    public async Task Append_EntryTooLarge_Exit2AndLogUnchanged()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, logKey) = await InitLogAsync(fixture);
        var big = fixture.Temp.Combine("big.bin");
        await File.WriteAllBytesAsync(big, new byte[70_000]);
        var before = DirectorySnapshot.Take(log);

        var append = await fixture.Runner.RunAsync("log", "append", log, "--key", logKey, big);

        Assert.Equal(2, append.ExitCode);
        Assert.Contains("65535", append.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(log));
    }

    [Fact]
    public async Task ProveThenVerify_GenuineEntry_Exit0()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, logKey) = await InitLogAsync(fixture);
        var files = Enumerable.Range(0, 5).Select(i => fixture.WriteFile($"e{i}.txt", $"entry {i}")).ToArray();
        Assert.Equal(0, (await fixture.Runner.RunAsync(["log", "append", log, "--key", logKey, .. files])).ExitCode);
        var checkpoint = await SaveAsync(fixture, "checkpoint.txt", await fixture.Runner.RunAsync("log", "checkpoint", log));
        var proof = await SaveAsync(fixture, "proof.json", await fixture.Runner.RunAsync("log", "prove", log, "--index", "3"));

        var verify = await fixture.Runner.RunAsync("log", "verify", "--checkpoint", checkpoint, "--key", logKey, "--entry", files[3], "--proof", proof);
        var wrongEntry = await fixture.Runner.RunAsync("log", "verify", "--checkpoint", checkpoint, "--key", logKey, "--entry", files[2], "--proof", proof);

        Assert.True(verify.ExitCode == 0, verify.Error);
        Assert.Equal(1, wrongEntry.ExitCode);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(proof));
        Assert.Equal(new[] { "index", "size", "leafHash", "root", "proof" }, json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Verify_ProofWithExtraOrMissingHash_Exit1()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, logKey, files, checkpoint) = await LogWithEntriesAsync(fixture, 6);
        var proofText = (await fixture.Runner.RunAsync("log", "prove", log, "--index", "1")).Output;
        var node = JsonNode.Parse(proofText)!;
        var hashes = node["proof"]!.AsArray();
        var extra = node.DeepClone();
        extra["proof"]!.AsArray().Add(hashes[0]!.GetValue<string>());
        var missing = node.DeepClone();
        missing["proof"]!.AsArray().RemoveAt(0);

        foreach (var tampered in new[] { extra, missing })
        {
            var path = fixture.WriteFile("tampered.json", tampered.ToJsonString());
            var verify = await fixture.Runner.RunAsync("log", "verify", "--checkpoint", checkpoint, "--key", logKey, "--entry", files[1], "--proof", path);
            Assert.Equal(1, verify.ExitCode);
        }
    }

    [Fact]
    public async Task Verify_CheckpointSignedByAnotherKey_Exit1()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, _, files, checkpoint) = await LogWithEntriesAsync(fixture, 3);
        var proof = await SaveAsync(fixture, "proof.json", await fixture.Runner.RunAsync("log", "prove", log, "--index", "0"));
        var stranger = TestKeys.Create(fixture.Temp.Path, "stranger");

        var verify = await fixture.Runner.RunAsync("log", "verify", "--checkpoint", checkpoint, "--key", stranger, "--entry", files[0], "--proof", proof);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("no signature by a trusted key", verify.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a checkpoint at all")]
    [InlineData("fleet.example/otter-log\n3\n\n\u2014 fleet.example/otter-log AAAA\n")]
    [InlineData("")]
    public async Task Verify_GarbageCheckpoint_Exit1WithoutStackTrace(string content)
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, logKey, files, _) = await LogWithEntriesAsync(fixture, 2);
        var proof = await SaveAsync(fixture, "proof.json", await fixture.Runner.RunAsync("log", "prove", log, "--index", "0"));
        var garbage = fixture.WriteFile("garbage.txt", content);

        var verify = await fixture.Runner.RunAsync("log", "verify", "--checkpoint", garbage, "--key", logKey, "--entry", files[0], "--proof", proof);

        Assert.Equal(1, verify.ExitCode);
        Assert.DoesNotContain("   at ", verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsistencyThenVerify_GrowingLog_Exit0AndTamperedExit1()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, logKey, _, checkpoint) = await LogWithEntriesAsync(fixture, 7);
        var consistency = await SaveAsync(fixture, "consistency.json", await fixture.Runner.RunAsync("log", "consistency", log, "--from", "3"));
        var vkey = fixture.WriteFile("log.vkey", JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(log, "log.json"))).RootElement.GetProperty("verifier_key").GetString()!);

        var verify = await fixture.Runner.RunAsync("log", "verify", "--checkpoint", checkpoint, "--key", vkey, "--consistency", consistency);
        var node = JsonNode.Parse(await File.ReadAllTextAsync(consistency))!;
        node["root1"] = Convert.ToBase64String(new byte[32]);
        var tampered = fixture.WriteFile("tampered.json", node.ToJsonString());
        var verifyTampered = await fixture.Runner.RunAsync("log", "verify", "--checkpoint", checkpoint, "--key", logKey, "--consistency", tampered);

        Assert.True(verify.ExitCode == 0, verify.Error);
        Assert.Equal(1, verifyTampered.ExitCode);
    }

    [Theory]
    [InlineData("--index", "9")]
    [InlineData("--index", "-1")]
    public async Task Prove_IndexOutsideLog_Exit2(string flag, string value)
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, _, _, _) = await LogWithEntriesAsync(fixture, 3);

        var prove = await fixture.Runner.RunAsync("log", "prove", log, flag, value);

        Assert.Equal(2, prove.ExitCode);
    }

    [Fact]
    public async Task Verify_NeitherEntryNorConsistency_Exit2()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (_, logKey, _, checkpoint) = await LogWithEntriesAsync(fixture, 1);

        var verify = await fixture.Runner.RunAsync("log", "verify", "--checkpoint", checkpoint, "--key", logKey);

        Assert.Equal(2, verify.ExitCode);
    }

    [Fact]
    public async Task Find_AppendedAndUnknownEntries_IndexOrExit1()
    {
        using var fixture = await RepoFixture.CreateAsync(init: false);
        var (log, _, files, _) = await LogWithEntriesAsync(fixture, 4);
        var unknown = fixture.WriteFile("unknown.txt", "never logged");

        var found = await fixture.Runner.RunAsync("log", "find", log, "--entry", files[2]);
        var missing = await fixture.Runner.RunAsync("log", "find", log, "--entry", unknown);

        Assert.Equal(0, found.ExitCode);
        Assert.Equal("2", found.Output.Trim());
        Assert.Equal(1, missing.ExitCode);
    }

    [Fact]
    public async Task RepoAdd_WithLog_LogsReleaseRecordAndStoresIndexProvably()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var (log, logKey) = await InitLogAsync(fixture);
        var file = fixture.WriteFile("fw.bin", "firmware 2.0");

        var add = await fixture.AddAsync(file, "--name", "fw/gw.bin", "--custom", "version=2.0.0", "--custom", "hardware=gw-x2", "--custom", "security_counter=4", "--log", log, "--log-key", logKey);

        Assert.True(add.ExitCode == 0, add.Error);
        using var targets = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(fixture.Repo, "metadata", "2.targets.json")));
        var target = targets.RootElement.GetProperty("signed").GetProperty("targets").GetProperty("fw/gw.bin");
        var custom = target.GetProperty("custom");
        Assert.Equal(Origin, custom.GetProperty("otter_log").GetProperty("origin").GetString());
        var index = custom.GetProperty("otter_log").GetProperty("index").GetInt64();
        Assert.Equal(4, custom.GetProperty("security_counter").GetInt64());

        // A device rebuilds the record from the signed target metadata and checks it is in the log.
        var record = new ReleaseRecord
        {
            Name = "fw/gw.bin",
            Version = custom.GetProperty("version").GetString()!,
            Sha256 = target.GetProperty("hashes").GetProperty("sha256").GetString()!,
            Length = target.GetProperty("length").GetInt64(),
            SecurityCounter = custom.GetProperty("security_counter").GetInt64(),
            Hardware = custom.GetProperty("hardware").GetString()!,
            Kind = "firmware",
        };
        var entry = fixture.Temp.Combine("record.json");
        await File.WriteAllBytesAsync(entry, record.ToEntry());
        var checkpoint = await SaveAsync(fixture, "checkpoint.txt", await fixture.Runner.RunAsync("log", "checkpoint", log));
        var proof = await SaveAsync(fixture, "proof.json", await fixture.Runner.RunAsync("log", "prove", log, "--index", index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var verify = await fixture.Runner.RunAsync("log", "verify", "--checkpoint", checkpoint, "--key", logKey, "--entry", entry, "--proof", proof);
        Assert.True(verify.ExitCode == 0, verify.Error);
    }

    [Fact]
    public async Task RepoAdd_WithLogButNoVersion_Exit2AndNeitherLogNorRepositoryChanged()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var (log, logKey) = await InitLogAsync(fixture);
        var file = fixture.WriteFile("fw.bin", "firmware");
        var logBefore = DirectorySnapshot.Take(log);
        var repoBefore = DirectorySnapshot.Take(fixture.Repo);

        var add = await fixture.AddAsync(file, "--custom", "hardware=gw-x2", "--log", log, "--log-key", logKey);

        Assert.Equal(2, add.ExitCode);
        Assert.Contains("version", add.Error, StringComparison.Ordinal);
        Assert.Equal(logBefore, DirectorySnapshot.Take(log));
        Assert.Equal(repoBefore, DirectorySnapshot.Take(fixture.Repo));
    }

    [Fact]
    public async Task RepoAdd_ExpiredTargetsKeyWithLog_NothingLogged()
    {
        using var fixture = await RepoFixture.CreateAsync();
        var (log, logKey) = await InitLogAsync(fixture);
        var file = fixture.WriteFile("fw.bin", "firmware");
        fixture.Time.Advance(TimeSpan.FromDays(120));
        var logBefore = DirectorySnapshot.Take(log);

        var add = await fixture.AddAsync(file, "--custom", "version=1", "--custom", "hardware=gw", "--log", log, "--log-key", logKey);

        Assert.Equal(2, add.ExitCode);
        Assert.Equal(logBefore, DirectorySnapshot.Take(log));
    }

    private static async Task<(string Log, string Key)> InitLogAsync(RepoFixture fixture)
    {
        var logKey = TestKeys.Create(fixture.Temp.Path, "log");
        var log = fixture.Temp.Combine("log");
        var init = await fixture.Runner.RunAsync("log", "init", log, "--key", logKey, "--origin", Origin);
        Assert.True(init.ExitCode == 0, init.Error);
        return (log, logKey);
    }

    private static async Task<(string Log, string Key, string[] Files, string Checkpoint)> LogWithEntriesAsync(RepoFixture fixture, int count)
    {
        var (log, logKey) = await InitLogAsync(fixture);
        var files = Enumerable.Range(0, count).Select(i => fixture.WriteFile($"e{i}.txt", $"entry {i}")).ToArray();
        var append = await fixture.Runner.RunAsync(["log", "append", log, "--key", logKey, .. files]);
        Assert.True(append.ExitCode == 0, append.Error);
        var checkpoint = await SaveAsync(fixture, "checkpoint.txt", await fixture.Runner.RunAsync("log", "checkpoint", log));
        return (log, logKey, files, checkpoint);
    }

    private static async Task<string> SaveAsync(RepoFixture fixture, string name, CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.Error);
        var path = fixture.Temp.Combine(name);
        await File.WriteAllTextAsync(path, result.Output);
        return path;
    }
}
