using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otter.Trust.Keys;

/// <summary>The <c>keyval</c> object of a TUF key: the PEM SubjectPublicKeyInfo.</summary>
public sealed record TufKeyValue
{
    /// <summary>PEM-encoded SubjectPublicKeyInfo.</summary>
    [JsonPropertyName("public")]
    public required string Public { get; init; }

    /// <summary>Fields this version does not know, kept so signatures over them still verify.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }
}
