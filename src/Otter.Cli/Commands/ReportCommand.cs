using System.CommandLine;
using System.Globalization;
using System.Text;
using Otter.Cli.Cli;
using Otter.Protocol;
using Otter.Protocol.Reports;
using Otter.Trust.IO;

namespace Otter.Cli.Commands;

/// <summary><c>otter report compliance</c>: where the fleet stands on releases and security patches.</summary>
internal static class ReportCommand
{
    private const string CsvType = "text/csv";

    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("report", "Fleet reports from the server.");
        command.Subcommands.Add(Compliance(environment));
        return command;
    }

    private static Command Compliance(CliEnvironment environment)
    {
        var staleDays = new Option<int>("--stale-days") { Description = "A device not seen for this many days counts as not seen.", DefaultValueFactory = _ => 7 };
        var csv = new Option<bool>("--csv") { Description = "Write the server's CSV (a header row, then one row per device) as it is." };
        var json = new Option<bool>("--json") { Description = "Write the report as JSON for scripts." };
        var output = new Option<string>("--out") { Description = "Write the report to this file (must not exist) instead of stdout." };
        var server = new ServerOptions();
        var command = server.AddTo(new Command("compliance", "Devices per release, devices below the newest security counter, devices not seen lately, and every device's patch state.")
        {
            staleDays, csv, json, output,
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var days = parse.GetValue(staleDays);
            if (days < 1)
            {
                throw new UsageException($"--stale-days {days.ToString(CultureInfo.InvariantCulture)} is below 1; give the days after which a silent device counts as not seen, e.g. 7.");
            }

            var asCsv = parse.GetValue(csv);
            var asJson = parse.GetValue(json);
            if (asCsv && asJson)
            {
                throw new UsageException("--csv and --json are two formats; give one of them.");
            }

            var path = parse.GetValue(output);
            if (path is not null)
            {
                CheckNewFile(path);
            }

            using var client = server.Connect(parse, environment);
            var query = "api/v1/reports/compliance?stale_days=" + days.ToString(CultureInfo.InvariantCulture);
            byte[] bytes;
            string what;
            if (asCsv)
            {
                bytes = await client.GetBytesAsync(query + "&format=csv", CsvType, cancellationToken);
                what = "as CSV";
            }
            else
            {
                var report = await client.GetAsync(query, ProtocolJsonContext.Default.ComplianceReport, cancellationToken);
                if (asJson)
                {
                    bytes = Output.JsonBytes(report, ProtocolJsonContext.Default.ComplianceReport);
                    what = "as JSON";
                }
                else
                {
                    using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
                    WriteReport(text, report);
                    bytes = Encoding.UTF8.GetBytes(text.ToString());
                    what = "as text";
                }
            }

            if (path is null)
            {
                // The CSV goes out byte for byte; the writer is text, so decode it as the UTF-8 it is.
                await environment.Output.WriteAsync(Encoding.UTF8.GetString(bytes));
                await environment.Output.FlushAsync(cancellationToken);
            }
            else
            {
                DurableFiles.WriteAtomic(path, bytes);
                environment.Output.WriteLine($"wrote the compliance report {what} to {path}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void CheckNewFile(string path)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            throw new UsageException($"{path} already exists; choose another --out path.");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"directory {directory} does not exist; create it first or choose another --out path.");
        }
    }

    private static void WriteReport(TextWriter output, ComplianceReport report)
    {
        output.WriteLine($"compliance report of {Output.Date(report.GeneratedAt)}");
        output.WriteLine($"devices:              {Output.Number(report.Devices)}");
        output.WriteLine($"below newest counter: {Output.Number(report.BelowNewestCounter)}");
        output.WriteLine($"not seen:             {Output.Number(report.NotSeen)} (silent for {Output.Number(report.StaleDays)} days or more)");
        output.WriteLine(report.NewestSecurityCounter.Count == 0
            ? "newest counters:      -"
            : $"newest counters:      {string.Join(", ", report.NewestSecurityCounter.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {Output.Number(c.Value)}"))}");
        output.WriteLine();
        if (report.Releases.Count > 0)
        {
            var releases = new TextTable("RELEASE", "VERSION", "DEVICES");
            foreach (var release in report.Releases)
            {
                releases.Add(release.Release, release.Version ?? "-", Output.Number(release.Devices));
            }

            releases.WriteTo(output);
            output.WriteLine();
        }

        if (report.Rows.Count == 0)
        {
            output.WriteLine("no devices yet.");
            return;
        }

        var table = new TextTable("ID", "HARDWARE", "STATUS", "RELEASE", "VERSION", "COUNTER", "NEWEST", "LAST PATCHED", "DAYS", "LAST SEEN", "DAYS", "FLAGS");
        foreach (var row in report.Rows)
        {
            var flags = new[] { row.BelowNewest ? "below-newest" : null, row.NotSeen ? "not-seen" : null }.Where(f => f is not null);
            table.Add(
                row.Id,
                row.Hardware,
                row.Status,
                row.Release ?? "-",
                row.Version ?? "-",
                Output.Number(row.SecurityCounter),
                Output.Number(row.NewestSecurityCounter),
                Output.Date(row.LastPatched),
                Output.Days(row.DaysSinceLastPatch),
                Output.Date(row.LastSeen),
                Output.Days(row.DaysSinceSeen),
                string.Join(",", flags) is { Length: > 0 } text ? text : "-");
        }

        table.WriteTo(output);
    }
}
