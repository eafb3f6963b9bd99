using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf;

/// <summary>The fields every TUF <c>signed</c> object has.</summary>
public abstract record SignedMetadata
{
    /// <summary>The role type: <c>root</c>, <c>targets</c>, <c>snapshot</c> or <c>timestamp</c>.</summary>
    [JsonPropertyName("_type")]
    [JsonPropertyOrder(-10)]
    public required string Type { get; init; }

    /// <summary>The TUF specification version the metadata follows.</summary>
    [JsonPropertyName("spec_version")]
    [JsonPropertyOrder(-9)]
    public required string SpecVersion { get; init; }

    /// <summary>The metadata version, starting at 1.</summary>
    [JsonPropertyName("version")]
    [JsonPropertyOrder(-8)]
    public required long Version { get; init; }

    /// <summary>When the metadata stops being trusted.</summary>
    [JsonPropertyName("expires")]
    [JsonPropertyOrder(-7)]
    [JsonConverter(typeof(TufDateTimeConverter))]
    public required DateTimeOffset Expires { get; init; }

    /// <summary>Fields this version does not know, kept so signatures over them still verify.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }
}
