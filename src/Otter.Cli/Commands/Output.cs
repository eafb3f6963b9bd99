using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Otter.Cli.Commands;

/// <summary>Shared bits of command output.</summary>
internal static class Output
{
    // Relaxed escaping keeps base64 '+' and PEM text readable; the output is never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Json<T>(TextWriter writer, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(System.Text.Encoding.UTF8.GetString(Serialize(value, typeInfo)));
    }

    /// <summary>The same indented UTF-8 JSON as <see cref="Json"/>, with a final newline, for files.</summary>
    public static byte[] JsonBytes<T>(T value, JsonTypeInfo<T> typeInfo) => [.. Serialize(value, typeInfo), (byte)'\n'];

    private static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(json, value, typeInfo);
        }

        return buffer.ToArray();
    }

    public static string Date(DateTimeOffset? value) =>
        value?.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) ?? "-";

    public static string Days(double? value) =>
        value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";

    public static string Short(string keyId) => keyId[..Math.Min(16, keyId.Length)];

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
