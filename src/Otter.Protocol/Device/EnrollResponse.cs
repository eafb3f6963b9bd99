namespace Otter.Protocol.Device;

/// <summary>The answer to an enrollment.</summary>
public sealed record EnrollResponse
{
    /// <summary>The device's fleet identity (its factory serial).</summary>
    public required string DeviceId { get; init; }

    /// <summary><c>approved</c> (a certificate is issued) or <c>pending</c> (ask again later).</summary>
    public required string Status { get; init; }

    /// <summary>The fleet certificate (PEM) for the CSR's key, when approved.</summary>
    public string? Certificate { get; init; }

    /// <summary>The fleet CA certificate (PEM).</summary>
    public required string CaCertificate { get; init; }

    /// <summary>Base64 per-device secret for signed device tokens, when approved (for devices that cannot use client certificates).</summary>
    public string? TokenSecret { get; init; }
}
