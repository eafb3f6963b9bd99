namespace Otter.Server.Setup;

/// <summary>The server's keys, by reference.</summary>
internal sealed record ServerKeys
{
    public required string Targets { get; init; }

    public required string Snapshot { get; init; }

    public required string Timestamp { get; init; }

    public required string Log { get; init; }

    public required string Ca { get; init; }

    public required string Tls { get; init; }
}
