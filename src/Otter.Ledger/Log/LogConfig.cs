using System.Text.Json.Serialization;

namespace Otter.Ledger.Log;

/// <summary><c>log.json</c>: the log's origin and the public key its checkpoints are signed with.</summary>
public sealed record LogConfig
{
    /// <summary>The checkpoint origin line, e.g. <c>fleet.example.com/otter-log</c>.</summary>
    [JsonPropertyName("origin")]
    public required string Origin { get; init; }

    /// <summary>The signed-note verifier key, <c>origin+hexid+base64(0x02 || SPKI)</c>.</summary>
    [JsonPropertyName("verifier_key")]
    public required string VerifierKey { get; init; }

    /// <summary>The log key's public half, PEM SubjectPublicKeyInfo.</summary>
    [JsonPropertyName("public_key")]
    public required string PublicKey { get; init; }
}
