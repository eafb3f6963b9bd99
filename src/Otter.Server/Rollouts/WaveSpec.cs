using System.Globalization;

namespace Otter.Server.Rollouts;

/// <summary>One wave as asked for: a cumulative percentage of the selected devices, or the devices carrying a tag.</summary>
internal sealed record WaveSpec(string Text, double? Percent, string? Tag)
{
    public const int MaxWaves = 20;

    /// <summary>Parses and checks the list: at most 20 waves, percentages rising and ending at 100.</summary>
    public static IReadOnlyList<WaveSpec> ParseAll(IReadOnlyList<string> waves)
    {
        ArgumentNullException.ThrowIfNull(waves);
        if (waves.Count is 0 or > MaxWaves)
        {
            throw new RolloutSpecException($"give 1 to {MaxWaves} waves, e.g. 1,10,50,100.");
        }

        var parsed = new List<WaveSpec>();
        double last = 0;
        foreach (var text in waves)
        {
            if (text.StartsWith("tag:", StringComparison.Ordinal))
            {
                var tag = text[4..];
                if (tag.Length == 0 || tag.Any(char.IsWhiteSpace))
                {
                    throw new RolloutSpecException($"wave \"{text}\" names no tag; write tag:NAME.");
                }

                parsed.Add(new WaveSpec(text, null, tag));
                continue;
            }

            if (!double.TryParse(text.TrimEnd('%'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) || percent <= 0 || percent > 100)
            {
                throw new RolloutSpecException($"wave \"{text}\" is not a percentage above 0 and at most 100, nor tag:NAME.");
            }

            if (percent <= last)
            {
                throw new RolloutSpecException($"waves are cumulative and must rise: {text} after {last.ToString(CultureInfo.InvariantCulture)}; write e.g. 1,10,50,100.");
            }

            last = percent;
            parsed.Add(new WaveSpec(text, percent, null));
        }

        if (parsed[^1].Percent != 100)
        {
            throw new RolloutSpecException($"the waves do not add up: the last one must be 100 so that every selected device is in a wave (got {string.Join(",", waves)}).");
        }

        return parsed;
    }
}
