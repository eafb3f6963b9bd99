namespace Otter.Server.Hosting;

/// <summary>What <c>otter server run</c> was given; anything null comes from <c>server.json</c>.</summary>
public sealed record ServerRunOptions
{
    /// <summary>The data directory made by <c>otter server init</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Management API, /repo and /log (https).</summary>
    public string? ApiUrl { get; init; }

    /// <summary>The device API (https, client certificates).</summary>
    public string? DeviceUrl { get; init; }

    /// <summary>A PostgreSQL URL or connection string (SQLite when absent).</summary>
    public string? Database { get; init; }

    /// <summary>Run the rollout engine and alert dispatcher on their own timers (tests turn this off and tick by hand).</summary>
    public bool BackgroundWork { get; init; } = true;

    /// <summary>Where devices are told to fetch /repo and /log; the API URL when absent.</summary>
    public string? PublicUrl { get; init; }
}
