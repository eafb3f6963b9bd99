using System.Text.Json.Serialization;
using Otter.Trust.Keys;

namespace Otter.Trust.Tuf;

/// <summary>Source-generated serialisation for every TUF wire type.</summary>
[JsonSourceGenerationOptions(
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    NumberHandling = JsonNumberHandling.Strict,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(TufKey))]
[JsonSerializable(typeof(RootMetadata))]
[JsonSerializable(typeof(TargetsMetadata))]
[JsonSerializable(typeof(SnapshotMetadata))]
[JsonSerializable(typeof(TimestampMetadata))]
[JsonSerializable(typeof(TufSignature))]
[JsonSerializable(typeof(List<TufSignature>))]
internal sealed partial class TufJsonContext : JsonSerializerContext;
