namespace Otter.Protocol.Management;

/// <summary>One row of the hash-chained audit log.</summary>
public sealed record AuditEntry
{
    /// <summary>1, 2, 3, … with no gaps.</summary>
    public long Sequence { get; init; }

    /// <summary>When.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>Who: <c>key:NAME</c>, <c>device:ID</c> or <c>server</c>.</summary>
    public required string Actor { get; init; }

    /// <summary>What, e.g. <c>release.publish</c>.</summary>
    public required string Action { get; init; }

    /// <summary>On what.</summary>
    public required string Subject { get; init; }

    /// <summary>Details (JSON text or words).</summary>
    public string? Detail { get; init; }

    /// <summary>Hex hash of the previous row (64 zeros for the first).</summary>
    public required string PreviousHash { get; init; }

    /// <summary>Hex SHA-256 over the previous hash and this row's fields.</summary>
    public required string Hash { get; init; }
}
