using System.Text.Json.Serialization;

namespace Otter.Trust.Bundles;

/// <summary>Source-generated JSON for bundle manifests.</summary>
[JsonSourceGenerationOptions(
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(BootManifest))]
[JsonSerializable(typeof(SignedBootManifestDocument))]
internal sealed partial class BundleJsonContext : JsonSerializerContext;
