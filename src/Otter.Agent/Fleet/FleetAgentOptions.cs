namespace Otter.Agent.Fleet;

/// <summary>How <see cref="FleetAgent"/> talks to its server and paces its cycles.</summary>
internal sealed record FleetAgentOptions
{
    /// <summary>The default device API URL.</summary>
    public static readonly Uri DefaultServer = new("https://127.0.0.1:8444/");

    /// <summary>The fleet server's device API base URL (https).</summary>
    public Uri Server { get; init; } = DefaultServer;

    /// <summary>Time between cycles (±10% jitter), unless the server asks for longer.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Authenticate with signed device tokens instead of the fleet client certificate.</summary>
    public bool UseToken { get; init; }

    /// <summary>The first wait after a failed cycle; it doubles with each failure in a row.</summary>
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait after failures.</summary>
    public TimeSpan RetryCap { get; init; } = TimeSpan.FromMinutes(5);
}
