using System.Globalization;

namespace Otter.Server.Rollouts;

/// <summary>Durations as people write them: <c>0s</c>, <c>90s</c>, <c>10m</c>, <c>2h</c>, <c>1d</c>, or combined (<c>1h30m</c>).</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string what)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new RolloutSpecException($"{what} is empty; write a duration like 0s, 10m or 2h.");
        }

        var total = TimeSpan.Zero;
        var i = 0;
        var any = false;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i == text.Length || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 1_000_000)
            {
                throw new RolloutSpecException($"{what} \"{text}\" is not a duration; write e.g. 0s, 10m, 2h or 1h30m.");
            }

            total += text[i++] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => throw new RolloutSpecException($"{what} \"{text}\" has an unknown unit '{text[i - 1]}'; use s, m, h or d."),
            };
            any = true;
        }

        return any ? total : throw new RolloutSpecException($"{what} \"{text}\" is not a duration.");
    }

    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var parts = new List<string>();
        if (value.Days > 0)
        {
            parts.Add(value.Days.ToString(CultureInfo.InvariantCulture) + "d");
        }

        if (value.Hours > 0)
        {
            parts.Add(value.Hours.ToString(CultureInfo.InvariantCulture) + "h");
        }

        if (value.Minutes > 0)
        {
            parts.Add(value.Minutes.ToString(CultureInfo.InvariantCulture) + "m");
        }

        if (value.Seconds > 0)
        {
            parts.Add(value.Seconds.ToString(CultureInfo.InvariantCulture) + "s");
        }

        return string.Concat(parts);
    }
}
