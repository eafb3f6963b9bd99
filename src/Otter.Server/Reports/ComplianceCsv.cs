using System.Globalization;
using System.Text;
using Otter.Protocol.Reports;

namespace Otter.Server.Reports;

/// <summary>The compliance report as CSV (RFC 4180): a header, then one row per device.</summary>
internal static class ComplianceCsv
{
    public const string Header = "id,hardware,status,release,version,security_counter,newest_security_counter,below_newest,last_patched,days_since_last_patch,last_seen,days_since_seen,not_seen";

    public static string Write(ComplianceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var row in report.Rows)
        {
            string?[] fields =
            [
                row.Id, row.Hardware, row.Status, row.Release, row.Version,
                Number(row.SecurityCounter), Number(row.NewestSecurityCounter), row.BelowNewest ? "true" : "false",
                row.LastPatched?.ToString("O", CultureInfo.InvariantCulture), row.DaysSinceLastPatch?.ToString(CultureInfo.InvariantCulture),
                row.LastSeen?.ToString("O", CultureInfo.InvariantCulture), row.DaysSinceSeen?.ToString(CultureInfo.InvariantCulture),
                row.NotSeen ? "true" : "false",
            ];
            csv.AppendJoin(',', fields.Select(Escape)).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        // Quote fields with separators, quotes or line breaks; a leading =,+,-,@ is quoted too so spreadsheets do not run it.
        var risky = value.Length > 0 && value[0] is '=' or '+' or '-' or '@';
        return risky || value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
