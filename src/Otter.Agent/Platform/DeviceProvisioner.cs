using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Otter.Agent.Fleet;
using Otter.Agent.Health;
using Otter.Ledger;
using Otter.Ledger.Notes;
using Otter.Trust;
using Otter.Trust.Bundles;
using Otter.Trust.Keys;
using Otter.Trust.Tuf;

namespace Otter.Agent.Platform;

/// <summary>Creates a simulated device: fuses the boot key hash, stores the trust anchors, makes the device key. Installs nothing.</summary>
public static class DeviceProvisioner
{
    /// <summary>Provisions a device in <paramref name="directory"/>, which must be new or empty.</summary>
    /// <exception cref="AgentException">Bad input; nothing is left behind.</exception>
    public static DeviceIdentity Provision(string directory, ProvisioningRequest request, IPassphraseSource passphrases) =>
        Provision(directory, request, passphrases, TimeProvider.System);

    /// <summary>Provisions a device in <paramref name="directory"/>, which must be new or empty; <paramref name="time"/> dates a factory identity certificate.</summary>
    /// <exception cref="AgentException">Bad input; nothing is left behind.</exception>
    public static DeviceIdentity Provision(string directory, ProvisioningRequest request, IPassphraseSource passphrases, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(passphrases);
        ArgumentNullException.ThrowIfNull(time);
        if (File.Exists(directory) || (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any()))
        {
            throw new AgentException($"{directory} exists and is not empty; a device is provisioned once, into a new directory.");
        }

        if (string.IsNullOrWhiteSpace(request.Hardware) || request.Hardware.Any(char.IsControl))
        {
            throw new AgentException("--hardware must be a non-empty hardware id.");
        }

        if (request.BootAttempts is < 1 or > 10)
        {
            throw new AgentException("boot attempts must be between 1 and 10.");
        }

        foreach (var probe in request.Health?.Probes ?? [])
        {
            CheckProbe(probe);
        }

        byte[] fuse;
        try
        {
            fuse = SignedBootManifest.KeyHash(request.BootKeyPem);
            NoteKey.FromPem(request.LogOrigin, request.LogKeyPem);
            var root = TufMetadata.Parse<RootMetadata>(request.TrustedRoot, "--trusted-root");
            var keys = root.Signed.Roles[TufRoles.Root];
            ThresholdVerifier.Verify(root, "--trusted-root", TufRoles.Root, keys.KeyIds, keys.Threshold, root.Signed.Keys);
        }
        catch (BundleException ex)
        {
            throw new AgentException($"--boot-key: {ex.Message}", ex);
        }
        catch (LedgerException ex)
        {
            throw new AgentException($"--log-key/--log-origin: {ex.Message}", ex);
        }
        catch (TrustException ex) when (ex is not AgentException)
        {
            throw new AgentException($"--trusted-root: {ex.Message}", ex);
        }

        var serverCa = request.ServerCaPem is null ? null : FleetCertificates.Normalize(request.ServerCaPem, "--server-ca");
        using var factoryCa = OpenFactoryCa(request, time);
        var factoryCertificate = CheckFactoryCertificate(request, passphrases, out var factoryId);
        var id = request.Id ?? factoryId ?? "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

        // The id also travels in certificate subjects and device token headers (id="…", at most 128 characters).
        if (id.Length is 0 or > 128 || id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '\\' or '"' or ','))
        {
            throw new AgentException($"--id \"{id}\" is not a usable serial (1 to 128 characters; no spaces, slashes, quotes, commas or control characters).");
        }

        if (factoryId is not null && factoryId != id)
        {
            throw new AgentException($"--factory-cert is issued to CN={factoryId}, but the device id is {id}; give the certificate of this device, or leave out --id to take the id from the certificate.");
        }

        var created = !Directory.Exists(directory);
        Directory.CreateDirectory(directory);
        try
        {
            var storage = new DirectoryDeviceStorage(directory);
            string? factoryKeyReference = null;
            if (factoryCa is not null)
            {
                // A new factory identity: its key is an encrypted key file like the device key.
                using var factoryKey = EcdsaP256.Generate();
                var keyPath = storage.FullPath(DevicePaths.FactoryKey);
                Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
                KeyFile.Write(keyPath, factoryKey, passphrases.GetPassphrase(keyPath, confirm: true));
                factoryCertificate = factoryCa.Issue(id, factoryKey, time);
                factoryKeyReference = DevicePaths.FactoryKey;
            }
            else if (request.FactoryKey is not null)
            {
                factoryKeyReference = KeyLoader.IsPkcs11Uri(request.FactoryKey) ? request.FactoryKey : Path.GetFullPath(request.FactoryKey);
            }

            if (factoryCertificate is not null)
            {
                storage.WriteFileAtomic(DevicePaths.FactoryCertificate, Encoding.ASCII.GetBytes(factoryCertificate));
            }

            if (serverCa is not null)
            {
                storage.WriteFileAtomic(DevicePaths.FleetCa, Encoding.ASCII.GetBytes(serverCa));
            }

            var keyReference = request.Key ?? DevicePaths.DeviceKey;
            if (request.Key is null)
            {
                using var key = EcdsaP256.Generate();
                Directory.CreateDirectory(Path.GetDirectoryName(storage.FullPath(DevicePaths.DeviceKey))!);
                KeyFile.Write(storage.FullPath(DevicePaths.DeviceKey), key, passphrases.GetPassphrase(storage.FullPath(DevicePaths.DeviceKey), confirm: true));
            }
            else
            {
                // An existing key must open and sign now, not at the first quote.
                using var signer = new KeyLoader(passphrases).OpenSigner(request.Key);
                if (!KeyLoader.IsPkcs11Uri(request.Key))
                {
                    keyReference = Path.GetFullPath(request.Key);
                }
            }

            var identity = new DeviceIdentity
            {
                Id = id,
                Hardware = request.Hardware,
                Key = keyReference,
                LogOrigin = request.LogOrigin,
                LogPublicKey = request.LogKeyPem,
                BootAttempts = request.BootAttempts,
                FactoryCertificate = factoryCertificate is null ? null : DevicePaths.FactoryCertificate,
                FactoryKey = factoryKeyReference,
            };
            storage.WriteFileAtomic(DevicePaths.FusedBootKey, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(fuse) + "\n"));
            storage.WriteFileAtomic($"{DevicePaths.TufDirectory}/root.json", request.TrustedRoot);
            storage.WriteFileAtomic(DevicePaths.BootControl, JsonSerializer.SerializeToUtf8Bytes(new BootControl(), AgentJsonContext.Default.BootControl));
            storage.ClearDirectory(DevicePaths.Slot("a"));
            storage.ClearDirectory(DevicePaths.Slot("b"));
            if (request.Health is { Probes.Count: > 0 } health)
            {
                storage.WriteFileAtomic(DevicePaths.Health, JsonSerializer.SerializeToUtf8Bytes(health, AgentJsonContext.Default.HealthConfig));
            }

            // device.json is written last: a folder without it is not a device.
            storage.WriteFileAtomic(DevicePaths.Identity, JsonSerializer.SerializeToUtf8Bytes(identity, AgentJsonContext.Default.DeviceIdentity));
            return identity;
        }
        catch
        {
            if (created)
            {
                Directory.Delete(directory, recursive: true);
            }
            else
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
                {
                    if (Directory.Exists(entry))
                    {
                        Directory.Delete(entry, recursive: true);
                    }
                    else
                    {
                        File.Delete(entry);
                    }
                }
            }

            throw;
        }
    }

    private static DevelopmentFactoryCa? OpenFactoryCa(ProvisioningRequest request, TimeProvider time)
    {
        var fromCa = request.FactoryCaCertificatePem is not null || request.FactoryCaKeyPem is not null;
        var existing = request.FactoryCertificatePem is not null || request.FactoryKey is not null;
        if (fromCa && existing)
        {
            throw new AgentException("--factory-ca and --factory-cert/--factory-key are alternatives: a development CA issues a new factory identity, or the device has one already. Give one of them.");
        }

        if (!fromCa)
        {
            return null;
        }

        if (request.FactoryCaCertificatePem is null || request.FactoryCaKeyPem is null)
        {
            throw new AgentException("--factory-ca needs both the CA certificate (ca.pem) and its key (ca.key).");
        }

        return DevelopmentFactoryCa.Load(request.FactoryCaCertificatePem, request.FactoryCaKeyPem, time);
    }

    /// <summary>Checks an existing factory identity: the certificate is for the key, and names the device in its CN; returns the certificate chain as PEM.</summary>
    private static string? CheckFactoryCertificate(ProvisioningRequest request, IPassphraseSource passphrases, out string? commonName)
    {
        commonName = null;
        if (request.FactoryCertificatePem is null && request.FactoryKey is null)
        {
            return null;
        }

        if (request.FactoryCertificatePem is null || request.FactoryKey is null)
        {
            throw new AgentException("--factory-cert and --factory-key go together: the factory identity certificate and its private key (file or pkcs11: URI).");
        }

        using (var leaf = FleetCertificates.ParseLeaf(request.FactoryCertificatePem, "--factory-cert"))
        {
            using (var key = new KeyLoader(passphrases).OpenEcdsa(request.FactoryKey))
            {
                if (!FleetCertificates.HasPublicKey(leaf, key.ExportSubjectPublicKeyInfo()))
                {
                    throw new AgentException($"--factory-cert is not the certificate of --factory-key {request.FactoryKey} (their public keys differ); give the certificate and key that belong together.");
                }
            }

            commonName = FleetCertificates.CommonName(leaf)
                ?? throw new AgentException($"--factory-cert has no single CN in its subject ({leaf.Subject}); a factory identity names the device serial as CN=<id>.");
        }

        return FleetCertificates.Normalize(request.FactoryCertificatePem, "--factory-cert");
    }

    private static void CheckProbe(HealthProbe probe)
    {
        if ((probe.Command is null) == (probe.Url is null))
        {
            throw new AgentException("a health probe needs either a command or a url.");
        }

        if (probe.Command is not null && string.IsNullOrWhiteSpace(probe.Command))
        {
            throw new AgentException("--probe-command must not be empty.");
        }

        if (probe.Url is not null
            && (!Uri.TryCreate(probe.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            throw new AgentException($"--probe-url {probe.Url} is not an absolute http(s) URL.");
        }

        if (probe.TimeoutSeconds is < 1 or > 3600)
        {
            throw new AgentException($"a health probe timeout must be 1 to 3600 seconds, not {probe.TimeoutSeconds}.");
        }
    }
}
