using System.Globalization;

namespace Otter.Benchmarks;

/// <summary>
/// Device ids for the check-in benchmark: <c>gw-</c> and 16 hex digits of a bijection of the
/// index (SplitMix64's finaliser), so ids are distinct by construction yet spread evenly over the
/// primary key's B-tree, as random serial numbers would be, enrolled and bulk-inserted ones alike.
/// </summary>
internal static class DeviceIds
{
    public static string For(long index)
    {
        var z = unchecked((ulong)index + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return "gw-" + z.ToString("x16", CultureInfo.InvariantCulture);
    }
}
