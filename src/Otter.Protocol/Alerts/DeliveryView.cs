namespace Otter.Protocol.Alerts;

/// <summary>One alert's delivery to one webhook.</summary>
public sealed record DeliveryView
{
    /// <summary>The webhook.</summary>
    public long SinkId { get; init; }

    /// <summary><c>pending</c>, <c>delivered</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>The last HTTP status, if any.</summary>
    public int? LastStatusCode { get; init; }

    /// <summary>The last error, if any.</summary>
    public string? LastError { get; init; }

    /// <summary>When it was delivered.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>The next attempt, while pending.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}
