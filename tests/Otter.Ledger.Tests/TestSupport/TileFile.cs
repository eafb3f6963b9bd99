using System.Globalization;

namespace Otter.Ledger.Tests.TestSupport;

/// <summary>
/// A C2SP tlog-tiles resource path taken apart, written from the specification independently
/// of <c>TilePaths</c>: <c>tile/&lt;L&gt;/&lt;N&gt;[.p/&lt;W&gt;]</c> or <c>tile/entries/&lt;N&gt;[.p/&lt;W&gt;]</c>,
/// where N is split into 3-digit groups, all but the last prefixed with <c>x</c>.
/// </summary>
public sealed record TileFile(bool IsEntryBundle, int Level, long Index, int Width)
{
    /// <summary>Whether it is a full (256-wide) tile or bundle.</summary>
    public bool IsFull => Width == 256;

    /// <summary>The path, built from the specification (the inverse of <see cref="Parse"/>).</summary>
    public string ToPath()
    {
        var groups = new List<string>();
        var rest = Index;
        do
        {
            groups.Insert(0, (rest % 1000).ToString("D3", CultureInfo.InvariantCulture));
            rest /= 1000;
        }
        while (rest > 0);

        var encoded = string.Join('/', groups.Select((g, i) => i < groups.Count - 1 ? "x" + g : g));
        var path = $"tile/{(IsEntryBundle ? "entries" : Level.ToString(CultureInfo.InvariantCulture))}/{encoded}";
        return IsFull ? path : $"{path}.p/{Width.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Parses a path relative to the log's root, with forward slashes.</summary>
    /// <exception cref="FormatException">Not a tile or bundle path.</exception>
    public static TileFile Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Split('/');
        if (parts.Length < 3 || parts[0] != "tile")
        {
            throw new FormatException($"{path} is not a tile path");
        }

        var isBundle = parts[1] == "entries";
        var level = isBundle ? -1 : int.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture);
        var groups = parts[2..];
        var width = 256;
        if (groups.Length >= 2 && groups[^2].EndsWith(".p", StringComparison.Ordinal))
        {
            width = int.Parse(groups[^1], NumberStyles.None, CultureInfo.InvariantCulture);
            if (width is < 1 or > 255 || groups[^1] != width.ToString(CultureInfo.InvariantCulture))
            {
                throw new FormatException($"{path} has a bad partial width");
            }

            groups = [.. groups[..^2], groups[^2][..^2]];
        }

        long index = 0;
        for (var i = 0; i < groups.Length; i++)
        {
            var group = groups[i];
            var last = i == groups.Length - 1;
            if (!last)
            {
                if (!group.StartsWith('x'))
                {
                    throw new FormatException($"{path}: element {group} lacks its x prefix");
                }

                group = group[1..];
            }

            if (group.Length != 3 || !group.All(char.IsAsciiDigit))
            {
                throw new FormatException($"{path}: element {group} is not three digits");
            }

            index = (index * 1000) + int.Parse(group, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return new TileFile(isBundle, level, index, width);
    }

    /// <summary>Every file under <c>tile/</c> in the log directory <paramref name="logDirectory"/>, relative paths with forward slashes.</summary>
    public static List<string> ListAll(string logDirectory)
    {
        var tiles = Path.Combine(logDirectory, "tile");
        if (!Directory.Exists(tiles))
        {
            return [];
        }

        return Directory.EnumerateFiles(tiles, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(logDirectory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
