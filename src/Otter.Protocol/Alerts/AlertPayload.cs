namespace Otter.Protocol.Alerts;

/// <summary>The JSON body Otter posts to a webhook.</summary>
public sealed record AlertPayload
{
    /// <summary>The alert's id on the server.</summary>
    public long Id { get; init; }

    /// <summary><c>rollout.halted</c>, <c>rollout.completed</c>, <c>device.rolled-back</c>, <c>attestation.mismatch</c>, <c>key.expiring</c>.</summary>
    public required string Kind { get; init; }

    /// <summary><c>critical</c>, <c>high</c>, <c>warning</c> or <c>info</c>.</summary>
    public required string Severity { get; init; }

    /// <summary>What it is about (a rollout id, a device id, a key role).</summary>
    public required string Subject { get; init; }

    /// <summary>One sentence for people.</summary>
    public required string Summary { get; init; }

    /// <summary>When it was raised.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>Details by name.</summary>
    public IReadOnlyDictionary<string, string> Details { get; set; } = new Dictionary<string, string>();
}
