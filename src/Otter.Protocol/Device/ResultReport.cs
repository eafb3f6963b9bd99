namespace Otter.Protocol.Device;

/// <summary>The outcome of the device's last install or boot.</summary>
public sealed record ResultReport
{
    /// <summary>e.g. <c>installed</c>, <c>committed</c>, <c>rolled-back</c>, <c>rejected</c>, <c>recovery</c>.</summary>
    public required string Outcome { get; init; }

    /// <summary>The slot concerned.</summary>
    public string? Slot { get; init; }

    /// <summary>The version concerned.</summary>
    public string? Version { get; init; }

    /// <summary>Why, in words.</summary>
    public string? Detail { get; init; }

    /// <summary>When the device recorded it.</summary>
    public DateTimeOffset? At { get; init; }
}
