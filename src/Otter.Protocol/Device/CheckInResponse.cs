namespace Otter.Protocol.Device;

/// <summary>What the server wants the device to do next.</summary>
public sealed record CheckInResponse
{
    /// <summary><c>none</c>, <c>update</c>, <c>reimage</c> or <c>collect</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The update to carry out, when <see cref="Action"/> is <c>update</c>.</summary>
    public UpdateAction? Update { get; init; }

    /// <summary>The forensic request to answer, when <see cref="Action"/> is <c>collect</c>.</summary>
    public Incidents.CollectAction? Collect { get; init; }

    /// <summary>Hex nonce the device must quote at its next check-in.</summary>
    public required string AttestationNonce { get; init; }

    /// <summary>Seconds until the next check-in the server would like.</summary>
    public int NextCheckInSeconds { get; init; }
}
