using System.Text.Json;
using System.Text.Json.Serialization;
using Otter.Trust.Tuf;

namespace Otter.Trust.Bundles;

/// <summary>The manifest as stored in a bundle and a slot: signed content, the boot key's public half, signatures.</summary>
// Only signed content may carry extra fields: anything added beside it would change the stored
// manifest (and the hash quotes name) without being covered by the signature.
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record SignedBootManifestDocument
{
    [JsonPropertyName("signed")]
    public required JsonElement Signed { get; init; }

    [JsonPropertyName("public_key")]
    public required string PublicKey { get; init; }

    [JsonPropertyName("signatures")]
    public required IReadOnlyList<TufSignature> Signatures { get; init; }
}
