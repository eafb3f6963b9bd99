using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf.Repository;

/// <summary>Source-generated serialisation of the repository's own files.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, RespectNullableAnnotations = true, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(RepositoryConfig))]
internal sealed partial class RepositoryJsonContext : JsonSerializerContext;
