using System.Text.Json.Serialization;
using Otter.Protocol.Device;
using Otter.Protocol.Management;

namespace Otter.Protocol;

/// <summary>Source-generated JSON for every wire type; property names are snake_case.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(EnrollResponse))]
[JsonSerializable(typeof(CheckInRequest))]
[JsonSerializable(typeof(CheckInResponse))]
[JsonSerializable(typeof(DeviceReport))]
[JsonSerializable(typeof(ReleaseInfo))]
[JsonSerializable(typeof(List<ReleaseInfo>))]
[JsonSerializable(typeof(PublishResult))]
[JsonSerializable(typeof(DeviceView))]
[JsonSerializable(typeof(List<DeviceView>))]
[JsonSerializable(typeof(AssignmentRequest))]
[JsonSerializable(typeof(TagRequest))]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(List<AuditEntry>))]
[JsonSerializable(typeof(AuditVerification))]
[JsonSerializable(typeof(ApiKeyRequest))]
[JsonSerializable(typeof(ApiKeyCreated))]
[JsonSerializable(typeof(DeviceEventView))]
[JsonSerializable(typeof(List<DeviceEventView>))]
[JsonSerializable(typeof(Otter.Protocol.Rollouts.RolloutRequest))]
[JsonSerializable(typeof(Otter.Protocol.Rollouts.RolloutView))]
[JsonSerializable(typeof(List<Otter.Protocol.Rollouts.RolloutView>))]
[JsonSerializable(typeof(Otter.Protocol.Alerts.AlertPayload))]
[JsonSerializable(typeof(Otter.Protocol.Alerts.WebhookRequest))]
[JsonSerializable(typeof(Otter.Protocol.Alerts.WebhookView))]
[JsonSerializable(typeof(List<Otter.Protocol.Alerts.WebhookView>))]
[JsonSerializable(typeof(List<Otter.Protocol.Alerts.AlertView>))]
[JsonSerializable(typeof(Otter.Protocol.Reports.ComplianceReport))]
[JsonSerializable(typeof(Otter.Protocol.Incidents.IncidentView))]
[JsonSerializable(typeof(List<Otter.Protocol.Incidents.IncidentView>))]
[JsonSerializable(typeof(Otter.Protocol.Incidents.IncidentNoteRequest))]
[JsonSerializable(typeof(Otter.Protocol.Incidents.IncidentCloseRequest))]
[JsonSerializable(typeof(Otter.Protocol.Incidents.QuarantineRequest))]
[JsonSerializable(typeof(Otter.Protocol.Incidents.ReimageRequest))]
[JsonSerializable(typeof(Otter.Protocol.Incidents.DeviceOrderView))]
[JsonSerializable(typeof(Otter.Protocol.Incidents.EvidenceView))]
[JsonSerializable(typeof(List<Otter.Protocol.Incidents.EvidenceView>))]
[JsonSerializable(typeof(Otter.Protocol.Incidents.ForensicBundle))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
