namespace Otter.Protocol.Management;

/// <summary>Something that happened to a device: enrollment, a refused re-enrollment (cloned device), reports, attestation results.</summary>
public sealed record DeviceEventView
{
    /// <summary>When.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The device.</summary>
    public required string DeviceId { get; init; }

    /// <summary>e.g. <c>enrolled</c>, <c>cloned-identity</c>, <c>report</c>, <c>attestation</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Details in words.</summary>
    public string? Detail { get; init; }
}
