using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf;

/// <summary>
/// TUF expiry dates: <c>YYYY-MM-DDTHH:MM:SSZ</c>, UTC, whole seconds. Anything else is refused
/// rather than guessed at, since expiry is a security check.
/// </summary>
internal sealed class TufDateTimeConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("expected a date string like \"2027-01-31T12:00:00Z\".");
        }

        var text = reader.GetString();
        if (!DateTimeOffset.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            throw new JsonException($"\"{text}\" is not a TUF date (expected the form 2027-01-31T12:00:00Z).");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToUniversalTime().ToString(Format, CultureInfo.InvariantCulture));
    }
}
