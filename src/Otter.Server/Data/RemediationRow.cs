namespace Otter.Server.Data;

/// <summary>A device's outstanding forced re-image (at most one per device).</summary>
internal sealed class RemediationRow
{
    public required string DeviceId { get; set; }

    public required string Release { get; set; }

    public long? IncidentId { get; set; }

    public required string RequestedBy { get; set; }

    public DateTimeOffset RequestedAt { get; set; }
}
