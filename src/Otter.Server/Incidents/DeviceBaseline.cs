using System.Net;

namespace Otter.Server.Incidents;

/// <summary>One device's behavioural state: the current bucket's counts, the baselines, and where it was last seen.</summary>
internal sealed class DeviceBaseline
{
    public long Bucket { get; set; } = -1;

    public double Requests { get; set; }

    public double Bytes { get; set; }

    public double FailedAuth { get; set; }

    public Ewma RequestRate;

    public Ewma ByteRate;

    public Ewma FailedAuthRate;

    /// <summary>Failed authentications since the last success.</summary>
    public int FailedInARow { get; set; }

    /// <summary>Bit per metric that already fired in the current bucket (0 requests, 1 bytes, 2 failed auth).</summary>
    public int FiredInBucket { get; set; }

    public string? AttributesJson { get; set; }

    public string? RegisteredRegion { get; set; }

    public string? LastRegion { get; set; }

    public DateTimeOffset LastRegionAt { get; set; }

    public IPAddress? LastAddress { get; set; }

    public string? ReportedRegionMismatch { get; set; }
}
