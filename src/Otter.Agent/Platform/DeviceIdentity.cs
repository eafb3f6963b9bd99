using System.Text.Json.Serialization;

namespace Otter.Agent.Platform;

/// <summary><c>device.json</c>: who the device is and what it trusts, written once at provisioning.</summary>
public sealed record DeviceIdentity
{
    /// <summary>The device serial.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>The hardware id releases must match.</summary>
    [JsonPropertyName("hardware")]
    public required string Hardware { get; init; }

    /// <summary>The device key: a key file path relative to the device (<c>keys/device.key</c>) or a pkcs11: URI.</summary>
    [JsonPropertyName("key")]
    public required string Key { get; init; }

    /// <summary>The transparency log's origin.</summary>
    [JsonPropertyName("log_origin")]
    public required string LogOrigin { get; init; }

    /// <summary>The transparency log's public key (PEM).</summary>
    [JsonPropertyName("log_public_key")]
    public required string LogPublicKey { get; init; }

    /// <summary>The factory identity certificate, a path relative to the device (<c>factory/identity.pem</c>); null when the device has none.</summary>
    [JsonPropertyName("factory_certificate")]
    public string? FactoryCertificate { get; init; }

    /// <summary>The factory identity key: a key file path relative to the device (<c>factory/identity.key</c>), an absolute path, or a pkcs11: URI; null when the device has none.</summary>
    [JsonPropertyName("factory_key")]
    public string? FactoryKey { get; init; }

    /// <summary>Trial boots a new install gets.</summary>
    [JsonPropertyName("boot_attempts")]
    public int BootAttempts { get; set; } = 3;
}
