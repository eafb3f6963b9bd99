namespace Otter.Protocol.Incidents;

/// <summary>
/// What a device uploads to <c>POST /device/v1/forensics/{request}</c>: these bytes exactly are
/// signed with the device key (header <see cref="ForensicSignature.Header"/>) and stored as received.
/// </summary>
public sealed record ForensicBundle
{
    /// <summary>The device that collected it.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The server's request id it answers (binds the bundle to one request).</summary>
    public long RequestId { get; init; }

    /// <summary>When the device collected it.</summary>
    public DateTimeOffset CollectedAt { get; init; }

    /// <summary>Files by name: logs, boot-control state, slot hashes, measurement register, recent quotes, agent state.</summary>
    public IReadOnlyList<ForensicItem> Items { get; set; } = [];
}
