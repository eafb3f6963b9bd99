namespace Otter.Protocol.Device;

/// <summary><c>POST /device/v1/reports</c>: progress or result of an assigned update.</summary>
public sealed record DeviceReport
{
    /// <summary>One of <see cref="ReportPhases"/>.</summary>
    public required string Phase { get; init; }

    /// <summary>The target concerned.</summary>
    public string? Target { get; init; }

    /// <summary>The version concerned.</summary>
    public string? Version { get; init; }

    /// <summary>Why, in words.</summary>
    public string? Detail { get; init; }
}
