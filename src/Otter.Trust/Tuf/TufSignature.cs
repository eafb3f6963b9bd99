using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf;

/// <summary>One signature over the canonical <c>signed</c> object.</summary>
public sealed record TufSignature
{
    /// <summary>Key id of the signing key.</summary>
    [JsonPropertyName("keyid")]
    public required string KeyId { get; init; }

    /// <summary>Hex-encoded DER ECDSA signature.</summary>
    [JsonPropertyName("sig")]
    public required string Signature { get; init; }

    /// <summary>Fields this version does not know.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }
}
