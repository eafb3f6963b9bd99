using System.Globalization;

namespace Otter.Server.Rollouts;

/// <summary>
/// A weekly maintenance window for a device group: <c>GROUP:DAYS HH:MM-HH:MM[@TIMEZONE]</c>, e.g.
/// <c>eu:sat,sun 02:00-05:00@Europe/Berlin</c> or <c>lab:mon-fri 22:00-02:00</c> (UTC; a window may
/// cross midnight). DAYS is <c>daily</c>, or days and ranges of mon..sun. A device belongs to group
/// G when it carries tag G.
/// </summary>
internal sealed record MaintenanceWindow(string Group, IReadOnlySet<DayOfWeek> Days, TimeSpan Start, TimeSpan End, TimeZoneInfo Zone, string Text)
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    public static MaintenanceWindow Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (colon <= 0 || space < colon)
        {
            throw Invalid(text, "it must start with GROUP:DAYS");
        }

        var group = text[..colon];
        var days = ParseDays(text[(colon + 1)..space], text);
        var rest = text[(space + 1)..].Trim();
        var zone = TimeZoneInfo.Utc;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(rest[(at + 1)..]);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw Invalid(text, $"time zone \"{rest[(at + 1)..]}\" is unknown (use an IANA name like Europe/Berlin)");
            }

            rest = rest[..at];
        }

        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !TimeSpan.TryParseExact(rest[..dash], @"hh\:mm", CultureInfo.InvariantCulture, out var start)
            || !TimeSpan.TryParseExact(rest[(dash + 1)..], @"hh\:mm", CultureInfo.InvariantCulture, out var end)
            || start >= TimeSpan.FromDays(1) || end >= TimeSpan.FromDays(1))
        {
            throw Invalid(text, "the hours must be HH:MM-HH:MM");
        }

        if (start == end)
        {
            throw Invalid(text, "the window is empty (start equals end)");
        }

        if (group.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw Invalid(text, "the group must be a tag name without spaces");
        }

        return new MaintenanceWindow(group, days, start, end, zone, text);
    }

    /// <summary>Whether the window is open at <paramref name="utc"/>.</summary>
    public bool IsOpen(DateTimeOffset utc)
    {
        var local = TimeZoneInfo.ConvertTime(utc, Zone);
        var time = local.TimeOfDay;
        if (Start < End)
        {
            return Days.Contains(local.DayOfWeek) && time >= Start && time < End;
        }

        // Crosses midnight: open from Start on a listed day, or before End the morning after one.
        return (Days.Contains(local.DayOfWeek) && time >= Start)
            || (Days.Contains(local.AddDays(-1).DayOfWeek) && time < End);
    }

    /// <summary>The next time the window opens at or after <paramref name="utc"/>.</summary>
    public DateTimeOffset NextOpen(DateTimeOffset utc)
    {
        if (IsOpen(utc))
        {
            return utc;
        }

        var local = TimeZoneInfo.ConvertTime(utc, Zone);
        for (var day = 0; day <= 8; day++)
        {
            var date = local.Date.AddDays(day);
            if (!Days.Contains(date.DayOfWeek))
            {
                continue;
            }

            var candidate = date + Start;
            while (Zone.IsInvalidTime(candidate))
            {
                // Skipped by a daylight-saving jump: the window opens when the clock lands.
                candidate = candidate.AddMinutes(1);
            }

            var opens = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(candidate, DateTimeKind.Unspecified), Zone), TimeSpan.Zero);
            if (opens >= utc)
            {
                return opens;
            }
        }

        return utc.AddDays(1);
    }

    private static HashSet<DayOfWeek> ParseDays(string text, string whole)
    {
        var days = new HashSet<DayOfWeek>();
        if (text is "daily" or "*")
        {
            days.UnionWith(Enum.GetValues<DayOfWeek>());
            return days;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            var first = Day(range[0], whole);
            var last = range.Length == 2 ? Day(range[1], whole) : range.Length == 1 ? first : throw Invalid(whole, $"\"{part}\" is not a day or a day range");
            for (var d = (int)first; ; d = (d + 1) % 7)
            {
                days.Add((DayOfWeek)d);
                if (d == (int)last)
                {
                    break;
                }
            }
        }

        return days.Count > 0 ? days : throw Invalid(whole, "no days given");
    }

    private static DayOfWeek Day(string name, string whole)
    {
        var index = Array.IndexOf(DayNames, name.ToLowerInvariant());
        return index >= 0 ? (DayOfWeek)index : throw Invalid(whole, $"\"{name}\" is not a day (mon, tue, wed, thu, fri, sat, sun)");
    }

    private static RolloutSpecException Invalid(string text, string why) =>
        new($"maintenance window \"{text}\": {why}; write GROUP:DAYS HH:MM-HH:MM[@ZONE], e.g. eu:sat,sun 02:00-05:00@Europe/Berlin.");
}
