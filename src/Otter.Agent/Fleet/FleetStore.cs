using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Otter.Agent.Platform;
using Otter.Trust.Keys;

namespace Otter.Agent.Fleet;

/// <summary>The device's fleet files (<c>fleet/</c>, <c>factory/</c>), each replaced crash-safely.</summary>
internal sealed class FleetStore(IDeviceStorage storage, IPassphraseSource passphrases, Func<ISigner>? factoryKey = null)
{
    /// <summary>Whether the server has issued this device a fleet certificate.</summary>
    public bool IsEnrolled => storage.Exists(DevicePaths.FleetCertificate);

    /// <summary>Whether the server issued a token secret.</summary>
    public bool HasTokenSecret => storage.Exists(DevicePaths.FleetTokenSecret);

    /// <summary>The fleet CA certificates the server's TLS certificate must chain to.</summary>
    /// <exception cref="AgentException">The device has none, or the file is damaged.</exception>
    public X509Certificate2Collection ReadServerCa()
    {
        var bytes = storage.ReadFile(DevicePaths.FleetCa)
            ?? throw new AgentException($"the device has no fleet CA ({DevicePaths.FleetCa}): it was provisioned for offline use. Provision it with --trust DIR or --server-ca FILE to use a fleet server.");
        return FleetCertificates.Parse(Encoding.ASCII.GetString(bytes), DevicePaths.FleetCa);
    }

    /// <summary>The fleet certificate with the device key attached, for mTLS.</summary>
    /// <exception cref="AgentException">The certificate is damaged or not for the device key.</exception>
    public X509Certificate2 OpenClientCertificate(IDevicePlatform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var pem = storage.ReadFile(DevicePaths.FleetCertificate)
            ?? throw new AgentException($"the device is not enrolled yet ({DevicePaths.FleetCertificate} is missing).");
        using var certificate = FleetCertificates.ParseLeaf(Encoding.ASCII.GetString(pem), DevicePaths.FleetCertificate);
        using var key = platform.OpenDeviceEcdsa();
        if (!FleetCertificates.HasPublicKey(certificate, key.ExportSubjectPublicKeyInfo()))
        {
            throw new AgentException($"{DevicePaths.FleetCertificate} is not for this device's key; delete it to enroll again.");
        }

        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>The token secret the server issued.</summary>
    /// <exception cref="AgentException">There is none, or it is damaged.</exception>
    public byte[] ReadTokenSecret()
    {
        var text = storage.ReadFile(DevicePaths.FleetTokenSecret)
            ?? throw new AgentException($"the server issued this device no token secret ({DevicePaths.FleetTokenSecret} is missing); run without --token to use the fleet certificate.");
        try
        {
            var secret = Convert.FromBase64String(Encoding.ASCII.GetString(text).Trim());
            return secret.Length > 0 ? secret : throw new FormatException("empty");
        }
        catch (FormatException ex)
        {
            throw new AgentException($"{DevicePaths.FleetTokenSecret} is not base64 ({ex.Message}); delete it and {DevicePaths.FleetCertificate} to enroll again.", ex);
        }
    }

    /// <summary>
    /// Stores what enrollment returned, after checking the certificate is for the device key.
    /// The certificate is written last: its presence means enrolled.
    /// </summary>
    /// <exception cref="AgentException">The certificate or secret is not usable; nothing is stored.</exception>
    public void StoreEnrollment(IDevicePlatform platform, string certificatePem, string? tokenSecret)
    {
        ArgumentNullException.ThrowIfNull(platform);
        using (var certificate = FleetCertificates.ParseLeaf(certificatePem, "the fleet certificate from the server"))
        using (var key = platform.OpenDeviceEcdsa())
        {
            if (!FleetCertificates.HasPublicKey(certificate, key.ExportSubjectPublicKeyInfo()))
            {
                throw new AgentException("the server issued a fleet certificate for another key than this device's; not stored. Check the server's enrollment records.");
            }
        }

        byte[]? secret = null;
        if (tokenSecret is not null)
        {
            try
            {
                secret = Convert.FromBase64String(tokenSecret);
            }
            catch (FormatException ex)
            {
                throw new AgentException("the server issued a token secret that is not base64; not stored.", ex);
            }
        }

        if (secret is { Length: > 0 })
        {
            storage.WriteSecretFileAtomic(DevicePaths.FleetTokenSecret, Encoding.ASCII.GetBytes(Convert.ToBase64String(secret) + "\n"));
            CryptographicOperations.ZeroMemory(secret);
        }
        else
        {
            storage.Delete(DevicePaths.FleetTokenSecret);
        }

        storage.WriteSecretFileAtomic(DevicePaths.FleetCertificate, Encoding.ASCII.GetBytes(certificatePem.ReplaceLineEndings("\n").TrimEnd('\n') + "\n"));
    }

    /// <summary>The factory identity certificate (PEM, leaf first).</summary>
    /// <exception cref="AgentException">The device has no factory identity.</exception>
    public string ReadFactoryCertificate(DeviceIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var bytes = identity.FactoryCertificate is { } path ? storage.ReadFile(path) : null;
        return bytes is null
            ? throw new AgentException("the device has no factory identity certificate; provision it with --factory-ca DIR or --factory-cert PEM --factory-key KEY to enroll with a fleet server.")
            : Encoding.ASCII.GetString(bytes);
    }

    /// <summary>Opens the factory identity key.</summary>
    /// <exception cref="AgentException">The device has no factory identity.</exception>
    public ISigner OpenFactoryKey(DeviceIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (factoryKey is not null)
        {
            return factoryKey();
        }

        var reference = identity.FactoryKey
            ?? throw new AgentException("the device has no factory identity key; provision it with --factory-ca DIR or --factory-cert PEM --factory-key KEY to enroll with a fleet server.");
        return new KeyLoader(passphrases).OpenSigner(DeviceKeyReference.Resolve(storage, reference));
    }

    /// <summary>The state kept between check-ins; empty when there is none yet or it is unreadable.</summary>
    public FleetState ReadState()
    {
        var bytes = storage.ReadFile(DevicePaths.FleetState);
        if (bytes is null)
        {
            return new FleetState();
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, AgentJsonContext.Default.FleetState) ?? new FleetState();
        }
        catch (JsonException)
        {
            // Only a nonce is lost: the next check-in goes without a quote and brings a new one.
            return new FleetState();
        }
    }

    /// <summary>Replaces the state kept between check-ins.</summary>
    public void WriteState(FleetState state) =>
        storage.WriteFileAtomic(DevicePaths.FleetState, JsonSerializer.SerializeToUtf8Bytes(state, AgentJsonContext.Default.FleetState));
}
