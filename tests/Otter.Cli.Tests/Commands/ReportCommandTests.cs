using System.Text.Json;
using Otter.Cli.Tests.TestSupport;
using Otter.Protocol;
using Otter.Protocol.Reports;

namespace Otter.Cli.Tests.Commands;

public sealed class ReportCommandTests(ManagementServer server) : IClassFixture<ManagementServer>
{
    // The CSV's columns are ComplianceRow's properties in order, snake_case.
    private static readonly string CsvHeader = string.Join(',', typeof(ComplianceRow).GetProperties().Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)));

    [Fact]
    public async Task Compliance_Human_SummaryAndDeviceRow()
    {
        var id = await ApprovedDeviceAsync("gw-c1");

        var result = await server.RunAsync("report", "compliance");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("compliance report of ", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^devices: +\d+$", result.Output);
        Assert.Matches(@"(?m)^below newest counter: +\d+$", result.Output);
        Assert.Matches(@"(?m)^not seen: +\d+ \(silent for 7 days or more\)$", result.Output);
        Assert.Matches(@"(?m)^RELEASE +VERSION +DEVICES$", result.Output);
        Assert.Matches($@"(?m)^{id} +gw-c1 +approved +", result.Output);
    }

    [Fact]
    public async Task Compliance_Json_ServerReportWithStaleDays()
    {
        var id = await ApprovedDeviceAsync("gw-c2");

        var result = await server.RunAsync("report", "compliance", "--stale-days", "3", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonSerializer.Deserialize(result.Output, ProtocolJsonContext.Default.ComplianceReport)!;
        Assert.Equal(3, report.StaleDays);
        Assert.Equal(report.Rows.Count, report.Devices);
        Assert.Equal(("gw-c2", "approved"), (Assert.Single(report.Rows, r => r.Id == id).Hardware, report.Rows.Single(r => r.Id == id).Status));
    }

    [Fact]
    public async Task Compliance_Csv_ServerCsvWithHeaderAndDeviceRow()
    {
        var id = await ApprovedDeviceAsync("gw-c3");

        var result = await server.RunAsync("report", "compliance", "--csv");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(CsvHeader, lines[0]);
        Assert.Contains(lines, l => l.StartsWith($"{id},gw-c3,approved,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Compliance_CsvToFile_WritesFileAndSaysWhere()
    {
        var id = await ApprovedDeviceAsync("gw-c4");
        var path = Path.Combine(server.WorkDirectory, ManagementServer.Unique("compliance") + ".csv");

        var result = await server.RunAsync("report", "compliance", "--csv", "--out", path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"wrote the compliance report as CSV to {path}\n", result.Output);
        var text = await File.ReadAllTextAsync(path);
        Assert.StartsWith(CsvHeader, text, StringComparison.Ordinal);
        Assert.Contains($"\n{id},gw-c4,approved,", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compliance_CsvAndJson_Exit2()
    {
        var result = await server.RunAsync("report", "compliance", "--csv", "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: --csv and --json are two formats; give one of them.\n", result.Error);
    }

    [Fact]
    public async Task Compliance_OutExists_Exit2BeforeAsking()
    {
        var path = Path.Combine(server.WorkDirectory, ManagementServer.Unique("exists") + ".json");
        await File.WriteAllTextAsync(path, "keep");

        var result = await server.RunAsync("report", "compliance", "--json", "--out", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: {path} already exists; choose another --out path.\n", result.Error);
        Assert.Equal("keep", await File.ReadAllTextAsync(path));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public async Task Compliance_StaleDaysBelowOne_Exit2(string days)
    {
        var result = await server.RunAsync("report", "compliance", "--stale-days", days);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: --stale-days {days} is below 1; give the days after which a silent device counts as not seen, e.g. 7.\n", result.Error);
    }

    private async Task<string> ApprovedDeviceAsync(string hardware)
    {
        var id = await server.EnrollAsync(hardware);
        await server.RunOkAsync("device", "approve", id);
        return id;
    }
}
