using System.Text.Json.Serialization;
using Otter.Ledger.Records;

namespace Otter.Ledger.Log;

/// <summary>Source-generated JSON for the ledger's own files and records.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, RespectNullableAnnotations = true, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(LogConfig))]
[JsonSerializable(typeof(ReleaseRecord))]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;
