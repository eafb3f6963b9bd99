namespace Otter.Trust.Json;

/// <summary>
/// Orders strings by Unicode code point, as Python's <c>sorted()</c> does. Ordinal UTF-16
/// comparison differs from it once surrogate pairs meet characters above U+D7FF, and
/// canonical JSON must match what securesystemslib signs byte for byte.
/// </summary>
internal sealed class CodePointComparer : IComparer<string>
{
    public static CodePointComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var i = 0;
        var j = 0;
        while (i < x.Length && j < y.Length)
        {
            var a = ReadCodePoint(x, ref i);
            var b = ReadCodePoint(y, ref j);
            if (a != b)
            {
                return a < b ? -1 : 1;
            }
        }

        return (x.Length - i).CompareTo(y.Length - j);
    }

    private static int ReadCodePoint(string s, ref int index)
    {
        var c = s[index++];
        if (char.IsHighSurrogate(c) && index < s.Length && char.IsLowSurrogate(s[index]))
        {
            return char.ConvertToUtf32(c, s[index++]);
        }

        return c;
    }
}
