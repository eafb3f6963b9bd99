namespace Otter.Server.Data;

/// <summary>One time-stamped, attributed step of an incident's timeline (also written to the audit log).</summary>
internal sealed class IncidentStepRow
{
    public long Id { get; set; }

    public long IncidentId { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public required string Phase { get; set; }

    public required string Action { get; set; }

    public string? Detail { get; set; }
}
