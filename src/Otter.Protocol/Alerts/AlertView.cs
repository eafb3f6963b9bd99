namespace Otter.Protocol.Alerts;

/// <summary>An alert and what became of its deliveries.</summary>
public sealed record AlertView
{
    /// <summary>The alert as sent.</summary>
    public required AlertPayload Alert { get; init; }

    /// <summary>One entry per sink.</summary>
    public IReadOnlyList<DeliveryView> Deliveries { get; set; } = [];
}
