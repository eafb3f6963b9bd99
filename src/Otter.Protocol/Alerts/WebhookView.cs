namespace Otter.Protocol.Alerts;

/// <summary>A registered webhook (its secret is not shown).</summary>
public sealed record WebhookView
{
    /// <summary>Its id.</summary>
    public long Id { get; init; }

    /// <summary>Its URL.</summary>
    public required string Url { get; init; }

    /// <summary>When it was added.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
