using System.Buffers;
using System.Globalization;
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
    public static void Write(JsonElement element, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            WriteValue(element, output, "$", 0);
        }
        catch (InvalidOperationException ex)
        {
            // A string with an invalid escape (a lone surrogate) cannot be turned into UTF-8.
            throw new CanonicalJsonException("JSON holds a string that is not valid Unicode.", ex);
        }
    }

    private static void WriteValue(JsonElement element, IBufferWriter<byte> output, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new CanonicalJsonException($"JSON nests deeper than {MaxDepth} levels at {path}.");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(element, output, path, depth);
                break;
            case JsonValueKind.Array:
                WriteRaw(output, "["u8);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (index > 0)
                    {
                        WriteRaw(output, ","u8);
                    }

                    WriteValue(item, output, path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]", depth + 1);
                    index++;
                }

                WriteRaw(output, "]"u8);
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!, output);
                break;
            case JsonValueKind.Number:
                if (!element.TryGetInt64(out var number))
                {
                    throw new CanonicalJsonException(
                        $"{path} holds the number {element.GetRawText()}; canonical JSON allows integers only.");
                }

                WriteAscii(output, number.ToString(CultureInfo.InvariantCulture));
                break;
            case JsonValueKind.True:
                WriteRaw(output, "true"u8);
                break;
            case JsonValueKind.False:
                WriteRaw(output, "false"u8);
                break;
            case JsonValueKind.Null:
                WriteRaw(output, "null"u8);
                break;
            default:
                throw new CanonicalJsonException($"{path} holds no JSON value.");
        }
    }

    private static void WriteObject(JsonElement element, IBufferWriter<byte> output, string path, int depth)
    {
        var properties = new List<JsonProperty>();
        foreach (var property in element.EnumerateObject())
        {
            properties.Add(property);
        }

        properties.Sort(static (a, b) => CodePointComparer.Instance.Compare(a.Name, b.Name));
        WriteRaw(output, "{"u8);
        for (var i = 0; i < properties.Count; i++)
        {
            if (i > 0)
            {
                if (string.Equals(properties[i - 1].Name, properties[i].Name, StringComparison.Ordinal))
                {
                    throw new CanonicalJsonException($"{path} holds the key \"{properties[i].Name}\" twice.");
                }

                WriteRaw(output, ","u8);
            }

            WriteString(properties[i].Name, output);
            WriteRaw(output, ":"u8);
            WriteValue(properties[i].Value, output, path + "." + properties[i].Name, depth + 1);
        }

        WriteRaw(output, "}"u8);
    }

    private static void WriteString(string value, IBufferWriter<byte> output)
    {
        WriteRaw(output, "\""u8);
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '"' or '\\')
            {
                WriteUtf8(output, value.AsSpan(start, i - start));
                WriteRaw(output, c == '"' ? "\\\""u8 : "\\\\"u8);
                start = i + 1;
            }
        }

        WriteUtf8(output, value.AsSpan(start));
        WriteRaw(output, "\""u8);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return;
        }

        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(chars.Length));
        var written = Encoding.UTF8.GetBytes(chars, span);
        output.Advance(written);
    }

    private static void WriteAscii(IBufferWriter<byte> output, string ascii) => WriteUtf8(output, ascii);

    private static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);
}
