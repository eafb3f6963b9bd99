namespace Otter.Server.Data;

/// <summary>One audit row; <see cref="Hash"/> covers <see cref="PreviousHash"/> and every other field.</summary>
internal sealed class AuditRow
{
    public long Sequence { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string Subject { get; set; }

    public string? Detail { get; set; }

    public required string PreviousHash { get; set; }

    public required string Hash { get; set; }
}
