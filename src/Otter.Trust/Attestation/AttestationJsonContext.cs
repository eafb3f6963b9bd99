using System.Text.Json.Serialization;

namespace Otter.Trust.Attestation;

/// <summary>Source-generated JSON for attestation quotes.</summary>
[JsonSourceGenerationOptions(
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AttestationQuote))]
[JsonSerializable(typeof(QuoteBody))]
public sealed partial class AttestationJsonContext : JsonSerializerContext;
