using System.Globalization;

namespace Otter.Server.Rollouts;

/// <summary>Start rates: <c>100/m</c>, <c>5/s</c>, <c>600/h</c>, kept as devices per minute.</summary>
internal static class Rates
{
    public static int? ParsePerMinute(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            throw new RolloutSpecException($"rate \"{text}\" is not a rate; write devices per unit like 100/m, 5/s or 600/h.");
        }

        double perMinute = text[(slash + 1)..] switch
        {
            "s" => count * 60.0,
            "m" => count,
            "h" => count / 60.0,
            _ => throw new RolloutSpecException($"rate \"{text}\" has an unknown unit; use /s, /m or /h."),
        };
        if (perMinute < 1)
        {
            throw new RolloutSpecException($"rate \"{text}\" is below one device a minute; the finest rate is 1/m.");
        }

        return perMinute > 1_000_000 ? throw new RolloutSpecException($"rate \"{text}\" is above a million devices a minute; leave it out for no limit.") : (int)perMinute;
    }

    public static string Format(int? perMinute) => perMinute is { } rate ? rate.ToString(CultureInfo.InvariantCulture) + "/m" : "unlimited";
}
