using System.Text.Json.Serialization;

namespace Otter.Server.Setup;

/// <summary>Source-generated JSON for the server's own files.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ServerSettings))]
[JsonSerializable(typeof(AuditHead))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, Otter.Protocol.Device.SlotReport>))]
[JsonSerializable(typeof(Otter.Protocol.Device.ResultReport))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
