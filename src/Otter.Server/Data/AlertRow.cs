namespace Otter.Server.Data;

/// <summary>An alert raised by the server (rollout halted, completed, device rolled back, attestation mismatch, key expiring).</summary>
internal sealed class AlertRow
{
    public long Id { get; set; }

    public required string Kind { get; set; }

    /// <summary><c>critical</c>, <c>high</c>, <c>warning</c> or <c>info</c>.</summary>
    public required string Severity { get; set; }

    public required string Subject { get; set; }

    public required string Summary { get; set; }

    /// <summary>The JSON body sent to the sinks.</summary>
    public required string PayloadJson { get; set; }

    /// <summary>Same key, same alert: raising it again does nothing (e.g. one expiry alert per key and day).</summary>
    public required string DedupKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
