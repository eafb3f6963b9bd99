using System.Text.Json;
using Otter.Cli.Cli;
using Otter.Cli.Tests.TestSupport;
using Otter.Protocol;
using Otter.Protocol.Management;

namespace Otter.Cli.Tests.Commands;

/// <summary>
/// Audit export and verification. The tampering tests change the database, so each gets a
/// server of its own; the others share one.
/// </summary>
public sealed class AuditCommandTests(ManagementServer shared) : IClassFixture<ManagementServer>
{
    private const string AuditLogGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

    [Fact]
    public async Task ExportAndVerify_UntouchedLog_Exit0OnlineAndOffline()
    {
        await shared.EnrollAsync();
        await shared.PublishAsync("gw-x2");
        var file = Path.Combine(shared.WorkDirectory, ManagementServer.Unique("audit") + ".json");

        var export = await shared.RunAsync("audit", "export", "--out", file);
        var online = await shared.RunAsync("audit", "verify");
        var offline = await shared.Runner.RunAsync("audit", "verify", "--file", file);

        Assert.True(export.ExitCode == 0, export.ToString());
        var entries = JsonSerializer.Deserialize(await File.ReadAllTextAsync(file), ProtocolJsonContext.Default.ListAuditEntry)!;
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.Contains(entries, e => e.Action == "release.publish");
        Assert.Contains(entries, e => e.Action == "device.enroll");
        Assert.Equal($"exported {entries.Count} audit rows (1 to {entries.Count}, head {entries[^1].Hash}) to {file}\n", export.Output);
        Assert.True(online.ExitCode == 0, online.ToString());
        Assert.EndsWith("audit log valid\n", online.Output, StringComparison.Ordinal);
        Assert.StartsWith("server check: valid, ", online.Output, StringComparison.Ordinal);
        Assert.True(offline.ExitCode == 0, offline.ToString());
        Assert.Equal($"{file}: valid, {entries.Count} rows re-hashed, head {entries[^1].Hash}\naudit log valid\n", offline.Output);
    }

    [Fact]
    public async Task Export_ToStdout_PrintsJsonArrayOfEntries()
    {
        var result = await shared.RunOkAsync("audit", "export");

        var entries = JsonSerializer.Deserialize(result.Output, ProtocolJsonContext.Default.ListAuditEntry)!;
        Assert.Equal("server.init", entries[0].Action);
        Assert.Equal(AuditLogGenesis, entries[0].PreviousHash);
    }

    [Fact]
    public async Task Export_ExistingOut_Exit2AndFileKept()
    {
        var file = Path.Combine(shared.WorkDirectory, ManagementServer.Unique("kept"));
        await File.WriteAllTextAsync(file, "keep me");

        var result = await shared.RunAsync("audit", "export", "--out", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: {file} already exists; choose another --out path.\n", result.Error);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Verify_OperatorKey_Exit1Forbidden()
    {
        var operatorKey = await shared.CreateKeyAsync(Roles.Operator);

        var result = await shared.RunAsAsync(operatorKey, "audit", "verify");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(403 Forbidden): ", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("has role operator; this needs admin or auditor.\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AuditorKey_Exit0()
    {
        var auditor = await shared.CreateKeyAsync(Roles.Auditor);

        var result = await shared.RunAsAsync(auditor, "audit", "verify", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonSerializer.Deserialize(result.Output, ManagementJsonContext.Default.AuditReport)!;
        Assert.True(report.Valid && report.Server!.Valid && report.Local.Valid);
        Assert.True(report.Local.Entries >= report.Server.Entries);
    }

    [Fact]
    public async Task Verify_RowEditedInDatabase_Exit1NamingTheRow()
    {
        await using var own = await ManagementServer.StartAsync();
        await own.CreateKeyAsync(Roles.Auditor);
        await own.CreateKeyAsync(Roles.Operator);
        await AuditDatabase.EditActorAsync(own.Server, 2, "key:someone-else");

        var result = await own.RunAsync("audit", "verify");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("otter: the audit log is broken at row 2: row 2 does not match its hash: it was edited\n", result.Error);
        Assert.Contains("server check: BROKEN at row 2: row 2 does not match its hash: it was edited\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("local check:  BROKEN at row 2: row 2 does not match its hash: it was edited\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_LastRowDeletedInDatabase_Exit1NamingTheRow()
    {
        await using var own = await ManagementServer.StartAsync();
        await own.CreateKeyAsync(Roles.Auditor);
        await own.CreateKeyAsync(Roles.Operator);
        var last = await AuditDatabase.LastSequenceAsync(own.Server);
        await AuditDatabase.DeleteAsync(own.Server, last);

        var result = await own.RunAsync("audit", "verify", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"otter: the audit log is broken at row {last}: the audit log ends at row {last - 1} but row {last} (", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("was written: rows were deleted from the end\n", result.Error, StringComparison.Ordinal);
        var report = JsonSerializer.Deserialize(result.Output, ManagementJsonContext.Default.AuditReport)!;
        Assert.False(report.Valid);
        Assert.Equal(last, report.FirstBadSequence);
        Assert.Equal(last - 1, report.Local.Entries);
    }

    [Fact]
    public async Task VerifyFile_EditedExport_Exit1NamingTheRow()
    {
        var file = await ExportAsync();
        var entries = JsonSerializer.Deserialize(await File.ReadAllTextAsync(file), ProtocolJsonContext.Default.ListAuditEntry)!;
        entries[1] = entries[1] with { Subject = "something else" };
        await File.WriteAllBytesAsync(file, JsonSerializer.SerializeToUtf8Bytes(entries, ProtocolJsonContext.Default.ListAuditEntry));

        var result = await shared.Runner.RunAsync("audit", "verify", "--file", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("otter: the audit log is broken at row 2: row 2 does not match its hash: it was edited\n", result.Error);
        Assert.Equal($"{file}: BROKEN at row 2: row 2 does not match its hash: it was edited\naudit log BROKEN at row 2\n", result.Output);
    }

    [Fact]
    public async Task VerifyFile_RowRemovedFromExport_Exit1NamingTheMissingRow()
    {
        var file = await ExportAsync();
        var entries = JsonSerializer.Deserialize(await File.ReadAllTextAsync(file), ProtocolJsonContext.Default.ListAuditEntry)!;
        Assert.True(entries.Count >= 3, "the shared server has at least three audit rows");
        entries.RemoveAt(1);
        await File.WriteAllBytesAsync(file, JsonSerializer.SerializeToUtf8Bytes(entries, ProtocolJsonContext.Default.ListAuditEntry));

        var result = await shared.Runner.RunAsync("audit", "verify", "--file", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("otter: the audit log is broken at row 2: row 2 is missing (found 3 in its place): rows were deleted\n", result.Error);
    }

    [Theory]
    [InlineData("{\"not\": \"an array\"}")]
    [InlineData("[{\"sequence\": 1}]")]
    [InlineData("not json")]
    public async Task VerifyFile_NotAnExport_Exit2(string content)
    {
        var file = Path.Combine(shared.WorkDirectory, ManagementServer.Unique("bad"));
        await File.WriteAllTextAsync(file, content);

        var result = await shared.Runner.RunAsync("audit", "verify", "--file", file);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"otter: --file {file} is not an audit export (a JSON array of rows as `otter audit export` writes): ", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task VerifyFile_Missing_Exit2()
    {
        var file = Path.Combine(shared.WorkDirectory, "no-such-export.json");

        var result = await shared.Runner.RunAsync("audit", "verify", "--file", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: --file {file} does not exist; make an export with `otter audit export --out FILE`.\n", result.Error);
    }

    private async Task<string> ExportAsync()
    {
        await shared.CreateKeyAsync(Roles.Operator);
        await shared.CreateKeyAsync(Roles.Operator);
        var file = Path.Combine(shared.WorkDirectory, ManagementServer.Unique("export") + ".json");
        await shared.RunOkAsync("audit", "export", "--out", file);
        return file;
    }
}
