namespace Otter.Server.Data;

/// <summary>
/// A forensic request and, once received, its bundle: written once (the upload only fills a row
/// whose <see cref="ReceivedAt"/> is still null), with the chain of custody beside it.
/// </summary>
internal sealed class ForensicBundleRow
{
    public long Id { get; set; }

    public required string DeviceId { get; set; }

    public long? IncidentId { get; set; }

    public required string RequestedBy { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public DateTimeOffset? ReceivedAt { get; set; }

    public string? Sha256 { get; set; }

    public long? Length { get; set; }

    public byte[]? Signature { get; set; }

    /// <summary>The device key the signature verified with on receipt.</summary>
    public string? DevicePublicKeyPem { get; set; }

    public byte[]? Content { get; set; }
}
