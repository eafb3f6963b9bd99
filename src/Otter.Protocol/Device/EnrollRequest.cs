namespace Otter.Protocol.Device;

/// <summary><c>POST /device/v1/enroll</c>: a device asks for a fleet certificate.</summary>
public sealed record EnrollRequest
{
    /// <summary>A PKCS#10 request (PEM) made and signed with the device's own key.</summary>
    public required string Csr { get; init; }

    /// <summary>The factory identity certificate (PEM), optionally followed by intermediates.</summary>
    public required string FactoryCertificate { get; init; }

    /// <summary>Base64 DER ECDSA signature by the factory identity key over the CSR's DER bytes: proves the factory key is present.</summary>
    public required string FactorySignature { get; init; }

    /// <summary>The hardware id the device runs on.</summary>
    public required string Hardware { get; init; }
}
