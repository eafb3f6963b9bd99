namespace Otter.Server.Data;

/// <summary>A device's row: identity and credentials, then inventory as last reported.</summary>
internal sealed class DeviceRow
{
    public required string Id { get; set; }

    public required string Hardware { get; set; }

    public required string Status { get; set; }

    /// <summary>The device key's public half (PEM SubjectPublicKeyInfo), fixed at first enrollment.</summary>
    public required string PublicKeyPem { get; set; }

    /// <summary>SHA-256 (hex) of the current fleet certificate's DER: any other certificate, even from the fleet CA, is refused.</summary>
    public string? CertificateSha256 { get; set; }

    public DateTimeOffset? CertificateNotAfter { get; set; }

    /// <summary>The per-device secret for signed tokens.</summary>
    public byte[]? TokenSecret { get; set; }

    public required string FactoryIssuer { get; set; }

    public required string FactorySerial { get; set; }

    public string TagsJson { get; set; } = "[]";

    public string AttributesJson { get; set; } = "{}";

    public string SlotsJson { get; set; } = "{}";

    public string? ActiveSlot { get; set; }

    public string? BootedSlot { get; set; }

    public long SecurityCounter { get; set; }

    public DateTimeOffset? LastSeen { get; set; }

    public string? Health { get; set; }

    public string Attestation { get; set; } = "unknown";

    public string? AttestationDetail { get; set; }

    public string? Measurement { get; set; }

    public string? LastResultJson { get; set; }

    /// <summary>The nonce the next quote must carry.</summary>
    public string? PendingNonce { get; set; }

    public string? AssignedRelease { get; set; }

    public string? AssignmentState { get; set; }

    /// <summary>The rollout the assignment belongs to (null for a manual assignment).</summary>
    public long? AssignedRollout { get; set; }

    /// <summary>The assignment is download-only: the device stages the release and does not activate it.</summary>
    public bool AssignmentStageOnly { get; set; }

    /// <summary>When the device last committed an assigned release.</summary>
    public DateTimeOffset? LastPatchedAt { get; set; }

    public DateTimeOffset EnrolledAt { get; set; }
}
