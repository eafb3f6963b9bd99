namespace Otter.Server.Setup;

/// <summary><c>server.json</c>: what <c>otter server init</c> decided; <c>otter server run</c> starts from it.</summary>
internal sealed record ServerSettings
{
    /// <summary>The name in the server's TLS certificate (besides localhost and loopback addresses).</summary>
    public required string Hostname { get; init; }

    /// <summary>Management API, <c>/repo</c> and <c>/log</c>.</summary>
    public string ApiUrl { get; set; } = "https://127.0.0.1:8443";

    /// <summary>The device API (client certificates).</summary>
    public string DeviceUrl { get; set; } = "https://127.0.0.1:8444";

    /// <summary>The base URL devices are told to fetch <c>/repo</c> and <c>/log</c> from; the API URL when absent.</summary>
    public string? PublicUrl { get; init; }

    /// <summary>A PostgreSQL URL or connection string; SQLite in the data directory when absent.</summary>
    public string? Database { get; init; }

    /// <summary>Online keys: files relative to the data directory, or pkcs11: URIs.</summary>
    public required ServerKeys Keys { get; init; }

    /// <summary>The transparency log's origin.</summary>
    public required string LogOrigin { get; init; }

    /// <summary>Approve enrolling devices at once (true) or keep them pending for an operator.</summary>
    public bool AutoApprove { get; set; } = true;

    /// <summary>Lifetime of issued device certificates.</summary>
    public int DeviceCertificateDays { get; set; } = 365;

    /// <summary>Device API requests allowed per device per minute (token bucket; bursts up to this number).</summary>
    public int DeviceRequestsPerMinute { get; set; } = 120;

    /// <summary>Largest device API request body.</summary>
    public long DeviceBodyLimit { get; set; } = 64 * 1024;

    /// <summary>Largest management API JSON body.</summary>
    public long ApiBodyLimit { get; set; } = 1024 * 1024;

    /// <summary>Largest release bundle upload.</summary>
    public long ReleaseLimit { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>A check-in that changes nothing but last-seen is written at most this often per device (0: every check-in).</summary>
    public int LastSeenResolutionSeconds { get; set; } = 300;

    /// <summary>Seconds between rollout engine ticks.</summary>
    public int RolloutTickSeconds { get; set; } = 5;

    /// <summary>Seconds devices are asked to wait between check-ins.</summary>
    public int CheckInIntervalSeconds { get; set; } = 60;

    /// <summary>Incident response: detection policy, forensic bundle limit, detector settings.</summary>
    public IncidentSettings Incidents { get; set; } = new();
}
