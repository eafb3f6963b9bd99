using System.Text.Json;
using System.Text.Json.Serialization;
using Otter.Trust.Tuf;

namespace Otter.Trust.Bundles;

/// <summary>The manifest as stored in a bundle and a slot: signed content, the boot key's public half, signatures.</summary>
internal sealed record SignedBootManifestDocument
{
    [JsonPropertyName("signed")]
    public required JsonElement Signed { get; init; }

    [JsonPropertyName("public_key")]
    public required string PublicKey { get; init; }

    [JsonPropertyName("signatures")]
    public required IReadOnlyList<TufSignature> Signatures { get; init; }
}
