using System.Text.Json.Serialization;

namespace Otter.Cli.Cli;

/// <summary>Source-generated JSON for what the management commands read and print besides the protocol's wire types.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProblemDocument))]
[JsonSerializable(typeof(PublishReport))]
[JsonSerializable(typeof(AuditReport))]
internal sealed partial class ManagementJsonContext : JsonSerializerContext;
