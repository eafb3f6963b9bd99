namespace Otter.Server.Data;

/// <summary>One alert to one sink: attempts, outcome and the next try.</summary>
internal sealed class AlertDeliveryRow
{
    public long Id { get; set; }

    public long AlertId { get; set; }

    public long SinkId { get; set; }

    /// <summary><c>pending</c>, <c>delivered</c> or <c>failed</c> (gave up).</summary>
    public required string Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}
