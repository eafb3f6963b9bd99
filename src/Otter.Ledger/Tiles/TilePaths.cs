using System.Globalization;
using System.Text;

namespace Otter.Ledger.Tiles;

/// <summary>Paths of C2SP tlog-tiles resources, relative to the log's prefix.</summary>
public static class TilePaths
{
    /// <summary>Hashes in a full tile, and entries in a full bundle.</summary>
    public const int TileWidth = 256;

    /// <summary>Tree height one tile spans.</summary>
    public const int TileHeight = 8;

    /// <summary>The checkpoint resource.</summary>
    public const string Checkpoint = "checkpoint";

    /// <summary><c>tile/&lt;L&gt;/&lt;N&gt;[.p/&lt;W&gt;]</c>; <paramref name="width"/> 256 means a full tile.</summary>
    public static string Tile(int level, long index, int width) =>
        WithWidth($"tile/{level.ToString(CultureInfo.InvariantCulture)}/{EncodeIndex(index)}", width);

    /// <summary><c>tile/entries/&lt;N&gt;[.p/&lt;W&gt;]</c>; <paramref name="width"/> 256 means a full bundle.</summary>
    public static string EntryBundle(long index, int width) => WithWidth($"tile/entries/{EncodeIndex(index)}", width);

    /// <summary>Encodes a tile index as zero-padded 3-digit path elements, all but the last prefixed with <c>x</c>.</summary>
    public static string EncodeIndex(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var groups = new List<string>();
        do
        {
            groups.Add((index % 1000).ToString("000", CultureInfo.InvariantCulture));
            index /= 1000;
        }
        while (index > 0);

        var builder = new StringBuilder();
        for (var i = groups.Count - 1; i >= 0; i--)
        {
            if (i > 0)
            {
                builder.Append('x').Append(groups[i]).Append('/');
            }
            else
            {
                builder.Append(groups[i]);
            }
        }

        return builder.ToString();
    }

    /// <summary>The width of the rightmost tile at <paramref name="level"/> for a tree of <paramref name="size"/>.</summary>
    public static int PartialWidth(int level, long size) => (int)((size >> (TileHeight * level)) % TileWidth);

    private static string WithWidth(string path, int width)
    {
        if (width is < 1 or > TileWidth)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "tile widths are 1 to 256");
        }

        return width == TileWidth ? path : $"{path}.p/{width.ToString(CultureInfo.InvariantCulture)}";
    }
}
