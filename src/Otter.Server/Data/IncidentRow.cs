namespace Otter.Server.Data;

/// <summary>An incident on one device; its steps are <see cref="IncidentStepRow"/>s.</summary>
internal sealed class IncidentRow
{
    public long Id { get; set; }

    public required string DeviceId { get; set; }

    public required string Kind { get; set; }

    public required string Severity { get; set; }

    public required string Status { get; set; }

    public required string Title { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    public required string OpenedBy { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? ClosedBy { get; set; }

    public string? RootCause { get; set; }

    public string? Prevention { get; set; }
}
