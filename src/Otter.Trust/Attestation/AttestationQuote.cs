using System.Text.Json.Serialization;

namespace Otter.Trust.Attestation;

/// <summary>A quote signed by the device key: ECDSA P-256 over the canonical JSON of <see cref="Quote"/>.</summary>
public sealed record AttestationQuote
{
    /// <summary>The signed statement.</summary>
    [JsonPropertyName("quote")]
    public required QuoteBody Quote { get; init; }

    /// <summary>The device key's public half (PEM).</summary>
    [JsonPropertyName("public_key")]
    public required string PublicKey { get; init; }

    /// <summary>The device key's TUF-style key id.</summary>
    [JsonPropertyName("key_id")]
    public required string KeyId { get; init; }

    /// <summary>Hex DER ECDSA signature.</summary>
    [JsonPropertyName("signature")]
    public required string Signature { get; init; }
}
