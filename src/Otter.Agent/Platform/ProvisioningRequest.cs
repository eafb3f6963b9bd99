using Otter.Agent.Health;

namespace Otter.Agent.Platform;

/// <summary>What a device is provisioned with at manufacture.</summary>
public sealed record ProvisioningRequest
{
    /// <summary>The hardware id.</summary>
    public required string Hardware { get; init; }

    /// <summary>The boot key's public half (PEM); its hash is fused into the ROM.</summary>
    public required string BootKeyPem { get; init; }

    /// <summary>The TUF root metadata the device starts from.</summary>
    public required byte[] TrustedRoot { get; init; }

    /// <summary>The transparency log's public key (PEM).</summary>
    public required string LogKeyPem { get; init; }

    /// <summary>The transparency log's origin.</summary>
    public required string LogOrigin { get; init; }

    /// <summary>The serial; generated when null.</summary>
    public string? Id { get; init; }

    /// <summary>An existing device key (file or pkcs11: URI); a new key file is generated when null.</summary>
    public string? Key { get; init; }

    /// <summary>Trial boots per install.</summary>
    public int BootAttempts { get; init; } = 3;

    /// <summary>The health probes every trial boot must pass (<c>health.json</c>); none when null.</summary>
    public HealthConfig? Health { get; init; }

    /// <summary>The fleet CA certificate (PEM) the fleet server's TLS certificate must chain to (<c>fleet/ca.pem</c>); none for an offline device.</summary>
    public string? ServerCaPem { get; init; }

    /// <summary>A development manufacturer CA certificate (PEM): the device gets a factory identity issued by it. Needs <see cref="FactoryCaKeyPem"/>.</summary>
    public string? FactoryCaCertificatePem { get; init; }

    /// <summary>The development manufacturer CA's unencrypted PKCS#8 private key (PEM).</summary>
    public string? FactoryCaKeyPem { get; init; }

    /// <summary>An existing factory identity certificate (PEM, leaf first). Needs <see cref="FactoryKey"/>.</summary>
    public string? FactoryCertificatePem { get; init; }

    /// <summary>The existing factory identity key (file or pkcs11: URI).</summary>
    public string? FactoryKey { get; init; }
}
