using System.Text.Json.Serialization;

namespace Otter.Trust.Attestation;

/// <summary>What an attestation quote states: which image booted, measured how, for which challenge.</summary>
public sealed record QuoteBody
{
    /// <summary>The quote format.</summary>
    public const string QuoteType = "otter.quote/v1";

    /// <summary>Always <see cref="QuoteType"/>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; set; } = QuoteType;

    /// <summary>The device serial.</summary>
    [JsonPropertyName("device_id")]
    public required string DeviceId { get; init; }

    /// <summary>The verifier's nonce (hex), so a quote cannot be replayed.</summary>
    [JsonPropertyName("nonce")]
    public required string Nonce { get; init; }

    /// <summary>The measurement register after the last boot (hex).</summary>
    [JsonPropertyName("measurement")]
    public required string Measurement { get; init; }

    /// <summary>SHA-256 of the booted slot's boot manifest document (hex).</summary>
    [JsonPropertyName("manifest_sha256")]
    public required string ManifestSha256 { get; init; }

    /// <summary>The booted slot.</summary>
    [JsonPropertyName("slot")]
    public required string Slot { get; init; }

    /// <summary>The booted version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>The device's security counter.</summary>
    [JsonPropertyName("security_counter")]
    public required long SecurityCounter { get; init; }
}
