namespace Otter.Protocol.Reports;

/// <summary>How many devices run a release.</summary>
public sealed record ReleaseCount
{
    /// <summary>The release name, or <c>none</c>.</summary>
    public required string Release { get; set; }

    /// <summary>Its version, when known.</summary>
    public string? Version { get; set; }

    /// <summary>Devices running it.</summary>
    public int Devices { get; set; }
}
