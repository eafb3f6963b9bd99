using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otter.Trust.Keys;

/// <summary>A public key as TUF metadata lists it.</summary>
public sealed record TufKey
{
    /// <summary>The key type Otter writes.</summary>
    public const string EcdsaKeyType = "ecdsa";

    /// <summary>The older name some implementations use for the same key type.</summary>
    public const string EcdsaP256KeyTypeAlias = "ecdsa-sha2-nistp256";

    /// <summary>The signature scheme Otter writes and verifies.</summary>
    public const string EcdsaP256Scheme = "ecdsa-sha2-nistp256";

    /// <summary>Key type, <c>ecdsa</c> for Otter keys.</summary>
    [JsonPropertyName("keytype")]
    public required string KeyType { get; init; }

    /// <summary>Signature scheme, <c>ecdsa-sha2-nistp256</c> for Otter keys.</summary>
    [JsonPropertyName("scheme")]
    public required string Scheme { get; init; }

    /// <summary>The public key material.</summary>
    [JsonPropertyName("keyval")]
    public required TufKeyValue KeyValue { get; init; }

    /// <summary>Fields this version does not know, kept so signatures over them still verify.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnrecognizedFields { get; set; }

    /// <summary>Whether Otter can verify signatures made with this key.</summary>
    [JsonIgnore]
    public bool IsSupported =>
        (KeyType == EcdsaKeyType || KeyType == EcdsaP256KeyTypeAlias) && Scheme == EcdsaP256Scheme;
}
