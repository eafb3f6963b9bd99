using System.Text.Json.Serialization;
using Otter.Trust.Tuf.Repository;

namespace Otter.Cli.Cli;

/// <summary>Source-generated JSON for <c>--json</c> output.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(KeyInfo))]
[JsonSerializable(typeof(RepositoryStatus))]
[JsonSerializable(typeof(RepositoryChange))]
[JsonSerializable(typeof(AddedTarget))]
[JsonSerializable(typeof(VerifyReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
