using System.Text.Json;
using Otter.Protocol.Device;
using Otter.Protocol.Management;
using Otter.Server.Data;
using Otter.Server.Setup;

namespace Otter.Server.Devices;

/// <summary>Device rows as the API shows them.</summary>
internal static class DeviceViews
{
    public static DeviceView ToView(DeviceRow row) => new()
    {
        Id = row.Id,
        Hardware = row.Hardware,
        Status = row.Status,
        Tags = Tags(row),
        Attributes = Attributes(row),
        ActiveSlot = row.ActiveSlot,
        Slots = JsonSerializer.Deserialize(row.SlotsJson, ServerJsonContext.Default.DictionaryStringSlotReport) ?? [],
        SecurityCounter = row.SecurityCounter,
        LastSeen = row.LastSeen,
        Health = row.Health,
        Attestation = row.Attestation,
        AttestationDetail = row.AttestationDetail,
        Measurement = row.Measurement,
        LastResult = row.LastResultJson is null ? null : JsonSerializer.Deserialize(row.LastResultJson, ServerJsonContext.Default.ResultReport),
        AssignedRelease = row.AssignedRelease,
        AssignmentState = row.AssignmentState,
        Quarantined = row.Status == DeviceStatuses.Quarantined,
        EnrolledAt = row.EnrolledAt,
    };

    public static List<string> Tags(DeviceRow row) => JsonSerializer.Deserialize(row.TagsJson, ServerJsonContext.Default.ListString) ?? [];

    public static Dictionary<string, string> Attributes(DeviceRow row) =>
        JsonSerializer.Deserialize(row.AttributesJson, ServerJsonContext.Default.DictionaryStringString) ?? [];
}
