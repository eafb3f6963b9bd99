using System.Text.Json.Serialization;
using Otter.Agent.Fleet;
using Otter.Agent.Health;
using Otter.Agent.Platform;

namespace Otter.Agent;

/// <summary>Source-generated JSON for the agent's state files and reports.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BootControl))]
[JsonSerializable(typeof(DeviceIdentity))]
[JsonSerializable(typeof(HealthConfig))]
[JsonSerializable(typeof(FleetState))]
[JsonSerializable(typeof(ProblemDocument))]
[JsonSerializable(typeof(List<Otter.Trust.Attestation.AttestationQuote>))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
