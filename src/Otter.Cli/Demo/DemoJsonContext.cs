using System.Text.Json.Serialization;

namespace Otter.Cli.Demo;

/// <summary>Source-generated JSON for <c>otter demo --json</c>.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DemoSummary))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
