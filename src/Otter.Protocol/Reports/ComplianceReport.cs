namespace Otter.Protocol.Reports;

/// <summary><c>GET /api/v1/reports/compliance</c>: where the fleet stands on releases and patches.</summary>
public sealed record ComplianceReport
{
    /// <summary>When the report was made.</summary>
    public DateTimeOffset GeneratedAt { get; set; }

    /// <summary>A device not seen for this many days counts as not seen.</summary>
    public int StaleDays { get; set; }

    /// <summary>Devices in the report (decommissioned ones are left out).</summary>
    public int Devices { get; set; }

    /// <summary>Devices per release they run (<c>none</c> when nothing Otter published is running).</summary>
    public IReadOnlyList<ReleaseCount> Releases { get; set; } = [];

    /// <summary>The newest security counter published per hardware.</summary>
    public IReadOnlyDictionary<string, long> NewestSecurityCounter { get; set; } = new Dictionary<string, long>();

    /// <summary>Devices whose counter is below the newest for their hardware.</summary>
    public int BelowNewestCounter { get; set; }

    /// <summary>Devices not seen for <see cref="StaleDays"/> days or more.</summary>
    public int NotSeen { get; set; }

    /// <summary>One row per device.</summary>
    public IReadOnlyList<ComplianceRow> Rows { get; set; } = [];
}
