using System.Text.Json.Serialization;
using Otter.Trust.Attestation;

namespace Otter.Agent.Cli;

/// <summary>Source-generated JSON for the agent's command output (camelCase).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AgentStatus))]
[JsonSerializable(typeof(AttestationQuote))]
internal sealed partial class AgentCliJsonContext : JsonSerializerContext;
