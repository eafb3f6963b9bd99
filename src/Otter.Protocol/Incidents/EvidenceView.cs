namespace Otter.Protocol.Incidents;

/// <summary>A forensic bundle's chain-of-custody record.</summary>
public sealed record EvidenceView
{
    /// <summary>The request id (also the bundle's id).</summary>
    public long Id { get; init; }

    /// <summary>The device asked for it.</summary>
    public required string DeviceId { get; init; }

    /// <summary>The incident it belongs to.</summary>
    public long? IncidentId { get; init; }

    /// <summary>Who asked for it.</summary>
    public required string RequestedBy { get; init; }

    /// <summary>When it was asked for.</summary>
    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>When the server received and stored it (null while outstanding).</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>SHA-256 (hex) of the stored bundle bytes, computed on receipt.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The bundle's length in bytes.</summary>
    public long? Length { get; init; }

    /// <summary>Base64 DER ECDSA P-256 signature by the device key over the bundle bytes.</summary>
    public string? Signature { get; init; }

    /// <summary>The device key (PEM SubjectPublicKeyInfo) the signature verified with on receipt.</summary>
    public string? DevicePublicKey { get; init; }
}
