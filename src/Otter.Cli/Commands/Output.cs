using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Otter.Cli.Commands;

/// <summary>Shared bits of command output.</summary>
internal static class Output
{
    public static void Json<T>(TextWriter writer, T value, JsonTypeInfo<T> typeInfo) =>
        writer.WriteLine(JsonSerializer.Serialize(value, typeInfo));

    public static string Date(DateTimeOffset? value) =>
        value?.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) ?? "-";

    public static string Days(double? value) =>
        value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";

    public static string Short(string keyId) => keyId[..Math.Min(16, keyId.Length)];

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
