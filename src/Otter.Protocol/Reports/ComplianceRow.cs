namespace Otter.Protocol.Reports;

/// <summary>One device in the compliance report (also the CSV's columns, in this order).</summary>
public sealed record ComplianceRow
{
    /// <summary>The device id.</summary>
    public required string Id { get; set; }

    /// <summary>Its hardware.</summary>
    public required string Hardware { get; set; }

    /// <summary>Its status.</summary>
    public required string Status { get; set; }

    /// <summary>The release it runs (booted slot), if any.</summary>
    public string? Release { get; set; }

    /// <summary>The version it runs, if known.</summary>
    public string? Version { get; set; }

    /// <summary>Its stored security counter.</summary>
    public long SecurityCounter { get; set; }

    /// <summary>The newest counter published for its hardware.</summary>
    public long NewestSecurityCounter { get; set; }

    /// <summary>Whether it is below that.</summary>
    public bool BelowNewest { get; set; }

    /// <summary>When it last committed an assigned release.</summary>
    public DateTimeOffset? LastPatched { get; set; }

    /// <summary>Days since then (null when never).</summary>
    public double? DaysSinceLastPatch { get; set; }

    /// <summary>When it last checked in.</summary>
    public DateTimeOffset? LastSeen { get; set; }

    /// <summary>Days since then (null when never).</summary>
    public double? DaysSinceSeen { get; set; }

    /// <summary>Whether it counts as not seen.</summary>
    public bool NotSeen { get; set; }
}
