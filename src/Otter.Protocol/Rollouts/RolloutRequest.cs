namespace Otter.Protocol.Rollouts;

/// <summary><c>POST /api/v1/rollouts</c>: a phased rollout of a release to the devices a filter selects.</summary>
public sealed record RolloutRequest
{
    /// <summary>The release to roll out.</summary>
    public required string Release { get; init; }

    /// <summary>A device filter (see the filter language); empty means every device of the release's hardware.</summary>
    public string? Filter { get; init; }

    /// <summary>Devices to include by id, besides the filter's.</summary>
    public IReadOnlyList<string> Devices { get; set; } = [];

    /// <summary>Waves: cumulative percentages ending at 100 (<c>1</c>, <c>10</c>, <c>50</c>, <c>100</c>) or <c>tag:NAME</c> groups; the last wave takes the rest.</summary>
    public IReadOnlyList<string> Waves { get; set; } = ["100"];

    /// <summary>Share (0–100) of a wave that must commit and pass health checks before it is promoted.</summary>
    public double SuccessPercent { get; set; } = 95;

    /// <summary>Share (0–100) of a wave failed, rolled back or timed out that halts the rollout.</summary>
    public double ErrorPercent { get; set; } = 5;

    /// <summary>Time to watch a wave after it reached its success threshold, before promotion (e.g. <c>10m</c>).</summary>
    public string Soak { get; set; } = "10m";

    /// <summary>Time a device has from assignment to commit before it counts as timed out.</summary>
    public string InstallTimeout { get; set; } = "1h";

    /// <summary>Promote waves automatically (true) or wait for <c>otter rollout resume</c> after each soak.</summary>
    public bool AutoPromote { get; set; } = true;

    /// <summary>At most this many devices started per minute (e.g. <c>100/m</c>, <c>10/s</c>); unlimited when null.</summary>
    public string? Rate { get; init; }

    /// <summary>Double the rate limit every wave.</summary>
    public bool ExponentialRate { get; init; }

    /// <summary>Do not start before this time.</summary>
    public DateTimeOffset? StartAt { get; init; }

    /// <summary>Maintenance windows: <c>GROUP:DAYS HH:MM-HH:MM[@TIMEZONE]</c>, e.g. <c>eu:sat,sun 02:00-05:00@Europe/Berlin</c>; a device is in group G when it has tag G.</summary>
    public IReadOnlyList<string> Windows { get; set; } = [];

    /// <summary>Ignore maintenance windows.</summary>
    public bool Force { get; init; }

    /// <summary>Devices download and verify but do not install until told.</summary>
    public bool DownloadOnly { get; init; }

    /// <summary>When rollouts overlap on a device, the higher priority wins.</summary>
    public int Priority { get; init; }

    /// <summary>On halt, send every device of the failing wave back to its previous release.</summary>
    public bool RollbackOnHalt { get; init; }
}
