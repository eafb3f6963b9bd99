using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Otter.Trust.Json;

/// <summary>
/// The canonical JSON form TUF signatures are made over: the OLPC form as implemented by
/// securesystemslib (object keys sorted by code point, no insignificant whitespace, strings
/// escaping only <c>"</c> and <c>\</c>, integers only, UTF-8).
/// </summary>
public static class CanonicalJson
{
    private const int MaxDepth = 64;

    /// <summary>Options for parsing untrusted JSON: duplicate keys and comments are refused.</summary>
    public static JsonDocumentOptions StrictParseOptions { get; } = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = MaxDepth,
    };

    /// <summary>Returns the canonical bytes of <paramref name="element"/>.</summary>
    /// <exception cref="CanonicalJsonException">The value holds a non-integer number or nests too deeply.</exception>
    public static byte[] Serialize(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        Write(element, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the canonical bytes of <paramref name="element"/> to <paramref name="output"/>.</summary>
    /// <exception cref="CanonicalJsonException">The value holds a non-integer number or nests too deeply.</exception>
    public static void Write(JsonElement element, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            WriteValue(element, output, 0);
        }
        catch (CanonicalPathException ex)
        {
            throw new CanonicalJsonException(ex.Describe());
        }
        catch (InvalidOperationException ex)
        {
            // A string with an invalid escape (a lone surrogate) cannot be turned into UTF-8.
            throw new CanonicalJsonException("JSON holds a string that is not valid Unicode.", ex);
        }
    }

    private static void WriteValue(JsonElement element, IBufferWriter<byte> output, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new CanonicalPathException($"JSON nests deeper than {MaxDepth} levels");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(element, output, depth);
                break;
            case JsonValueKind.Array:
                output.Write("["u8);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (index > 0)
                    {
                        output.Write(","u8);
                    }

                    try
                    {
                        WriteValue(item, output, depth + 1);
                    }
                    catch (CanonicalPathException ex)
                    {
                        ex.Segments.Push($"[{index}]");
                        throw;
                    }

                    index++;
                }

                output.Write("]"u8);
                break;
            case JsonValueKind.String:
                WriteStringValue(element, output);
                break;
            case JsonValueKind.Number:
                if (!element.TryGetInt64(out var number))
                {
                    throw new CanonicalPathException($"holds the number {element.GetRawText()}; canonical JSON allows integers only");
                }

                var span = output.GetSpan(20);
                Utf8Formatter.TryFormat(number, span, out var written);
                output.Advance(written);
                break;
            case JsonValueKind.True:
                output.Write("true"u8);
                break;
            case JsonValueKind.False:
                output.Write("false"u8);
                break;
            case JsonValueKind.Null:
                output.Write("null"u8);
                break;
            default:
                throw new CanonicalPathException("holds no JSON value");
        }
    }

    private static void WriteObject(JsonElement element, IBufferWriter<byte> output, int depth)
    {
        var properties = new List<(byte[] Name, JsonElement Value)>();
        foreach (var property in element.EnumerateObject())
        {
            properties.Add((NameBytes(property), property.Value));
        }

        // Ordering UTF-8 bytes is ordering code points, which is what Python's sorted() does.
        properties.Sort(static (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        output.Write("{"u8);
        for (var i = 0; i < properties.Count; i++)
        {
            var name = properties[i].Name;
            if (i > 0)
            {
                if (name.AsSpan().SequenceEqual(properties[i - 1].Name))
                {
                    throw new CanonicalPathException($"holds the key \"{Encoding.UTF8.GetString(name)}\" twice");
                }

                output.Write(","u8);
            }

            WriteEscaped(name, output);
            output.Write(":"u8);
            try
            {
                WriteValue(properties[i].Value, output, depth + 1);
            }
            catch (CanonicalPathException ex)
            {
                ex.Segments.Push("." + Encoding.UTF8.GetString(name));
                throw;
            }
        }

        output.Write("}"u8);
    }

    private static byte[] NameBytes(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return raw.Contains((byte)'\\') ? Encoding.UTF8.GetBytes(property.Name) : raw.ToArray();
    }

    private static void WriteStringValue(JsonElement element, IBufferWriter<byte> output)
    {
        // The raw value is the string's UTF-8 between its quotes; without a backslash it has no
        // escapes (and so no quote), and is already in canonical form.
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var inner = raw[1..^1];
        if (!inner.Contains((byte)'\\'))
        {
            output.Write("\""u8);
            output.Write(inner);
            output.Write("\""u8);
            return;
        }

        WriteEscaped(Encoding.UTF8.GetBytes(element.GetString()!), output);
    }

    private static void WriteEscaped(ReadOnlySpan<byte> utf8, IBufferWriter<byte> output)
    {
        output.Write("\""u8);
        while (true)
        {
            var next = utf8.IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                output.Write(utf8);
                break;
            }

            output.Write(utf8[..next]);
            output.Write(utf8[next] == (byte)'"' ? "\\\""u8 : "\\\\"u8);
            utf8 = utf8[(next + 1)..];
        }

        output.Write("\""u8);
    }
}
