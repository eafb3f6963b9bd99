using System.Text.Json.Serialization;

namespace Otter.Cli.Cli;

/// <summary>Source-generated JSON for the log commands (camelCase, as the proof formats are specified).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(InclusionProofDocument))]
[JsonSerializable(typeof(ConsistencyProofDocument))]
[JsonSerializable(typeof(List<AppendedEntry>))]
[JsonSerializable(typeof(LogInfo))]
internal sealed partial class LogJsonContext : JsonSerializerContext;
