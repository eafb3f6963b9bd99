using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;

namespace Otter.Agent.Tests.Cli;

/// <summary>
/// <c>otter-agent provision</c> for a fleet: trust from a server's device-trust folder, a factory
/// identity issued by a development CA or brought along; bad input exits 2 and leaves nothing.
/// </summary>
public sealed class AgentCliFleetProvisionTests
{
    // A clock of its own (whole seconds, as certificates keep them), inside the test CAs' validity.
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600);

    [Fact]
    public async Task Provision_TrustFolder_StoresItsAnchorsAndTheFleetCa()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var device = world.Factory.Combine("new-device");

        var result = await world.ProvisionAsync(device, "--id", "gw-0001", "--trust", world.TrustDirectory);
        var platform = ReleaseFactory.OpenDevice(device);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"provisioned device gw-0001 (gw) in {device}; fleet CA stored; nothing installed yet", result.Output.Trim());
        Assert.Equal(await File.ReadAllBytesAsync(world.Factory.TrustedRoot), await File.ReadAllBytesAsync(Path.Combine(device, "state", "tuf", "root.json")));
        Assert.Equal(ReleaseFactory.LogOrigin, platform.Identity.LogOrigin);
        Assert.Contains(platform.Identity.LogPublicKey.Trim(), await File.ReadAllTextAsync(world.Factory.LogPublicKey), StringComparison.Ordinal);
        using var stored = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(device, DevicePaths.FleetCa)));
        Assert.Equal(world.FleetCa.Certificate.Thumbprint, stored.Thumbprint);
        Assert.Null(platform.Identity.FactoryCertificate);
        Assert.False(Directory.Exists(Path.Combine(device, "factory")));
    }

    [Fact]
    public async Task Provision_IndividualFlagsWithServerCa_StoresTheFleetCa()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var device = world.Factory.Combine("new-device");
        var ca = world.Factory.Combine("fleet-ca.pem");
        await File.WriteAllTextAsync(ca, world.FleetCa.CertificatePem);

        var result = await world.ProvisionAsync(
            device, "--trusted-root", world.Factory.TrustedRoot, "--log-key", world.Factory.LogPublicKey, "--log-origin", ReleaseFactory.LogOrigin, "--server-ca", ca);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var stored = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(device, DevicePaths.FleetCa)));
        Assert.Equal(world.FleetCa.Certificate.Thumbprint, stored.Thumbprint);
    }

    [Theory]
    [InlineData("root.json")]
    [InlineData("log.pub")]
    [InlineData("log-origin")]
    [InlineData("ca.pem")]
    public async Task Provision_TrustFolderMissingAFile_Exit2AndNothingLeftBehind(string file)
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        File.Delete(Path.Combine(world.TrustDirectory, file));
        var device = world.Factory.Combine("new-device");
        var before = DirectorySnapshot.Take(world.Factory.Root);

        var result = await world.ProvisionAsync(device, "--trust", world.TrustDirectory);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter-agent: --trust {world.TrustDirectory} has no {file}; a device-trust folder holds root.json, log.pub, log-origin and ca.pem (copy the whole folder the server wrote).", result.Error.Trim());
        Assert.False(Directory.Exists(device));
        Assert.Equal(before, DirectorySnapshot.Take(world.Factory.Root));
    }

    [Theory]
    [InlineData("log-origin", "test.example/log\nsecond line\n", "one line")]
    [InlineData("log-origin", "\n", "empty")]
    [InlineData("log-origin", "bad origin\n", "--log-key/--log-origin")]
    [InlineData("ca.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n", "cannot be read")]
    [InlineData("ca.pem", "hello\n", "no PEM certificate")]
    [InlineData("log.pub", "not a key\n", "no PEM public key")]
    [InlineData("root.json", "{}", "--trusted-root")]
    public async Task Provision_TrustFolderWithBadContent_Exit2AndNothingLeftBehind(string file, string content, string expected)
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        await File.WriteAllTextAsync(Path.Combine(world.TrustDirectory, file), content);
        var device = world.Factory.Combine("new-device");

        var result = await world.ProvisionAsync(device, "--trust", world.TrustDirectory);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device));
    }

    [Theory]
    [InlineData("--trusted-root")]
    [InlineData("--log-key")]
    [InlineData("--log-origin")]
    [InlineData("--server-ca")]
    public async Task Provision_TrustMixedWithAnIndividualFlag_Exit2AndNothingLeftBehind(string flag)
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var device = world.Factory.Combine("new-device");
        var value = flag switch
        {
            "--trusted-root" => world.Factory.TrustedRoot,
            "--log-key" => world.Factory.LogPublicKey,
            "--log-origin" => ReleaseFactory.LogOrigin,
            _ => Path.Combine(world.TrustDirectory, "ca.pem"),
        };

        var result = await world.ProvisionAsync(device, "--trust", world.TrustDirectory, flag, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter-agent: --trust replaces --trusted-root, --log-key, --log-origin and --server-ca; give --trust DIR alone, without {flag}.", result.Error.Trim());
        Assert.False(Directory.Exists(device));
    }

    [Fact]
    public async Task Provision_NeitherTrustNorAllIndividualFlags_Exit2NamingWhatIsMissing()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var device = world.Factory.Combine("new-device");

        var result = await world.ProvisionAsync(device, "--trusted-root", world.Factory.TrustedRoot, "--log-origin", ReleaseFactory.LogOrigin);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter-agent: give --trust DIR (a fleet server's device-trust folder) or all of --trusted-root, --log-key and --log-origin; missing --log-key.", result.Error.Trim());
        Assert.False(Directory.Exists(device));
    }

    [Fact]
    public async Task Provision_FactoryCa_IssuesAnIdentityForTheDeviceThatChainsToTheCa()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var device = world.Factory.Combine("new-device");

        var result = await AgentRunner.RunAsync(
            new ManualTimeProvider(Now),
            "provision", "--device", device, "--hardware", ReleaseFactory.Hardware, "--boot-key", world.Factory.BootPublicKey,
            "--trust", world.TrustDirectory, "--factory-ca", world.DevFactory, "--id", "gw-0007");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"provisioned device gw-0007 (gw) in {device}; fleet CA stored, factory identity issued; nothing installed yet", result.Output.Trim());
        var identity = ReleaseFactory.OpenDevice(device).Identity;
        Assert.Equal((DevicePaths.FactoryCertificate, DevicePaths.FactoryKey), (identity.FactoryCertificate, identity.FactoryKey));
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(device, DevicePaths.FactoryCertificate)));

        Assert.Equal("CN=gw-0007", certificate.Subject);
        Assert.Equal(world.FactoryCa.Certificate.Subject, certificate.Issuer);
        Assert.Equal("1.2.840.10045.4.3.2", certificate.SignatureAlgorithm.Value);
        Assert.Equal(Now.AddMinutes(-5), new DateTimeOffset(certificate.NotBefore.ToUniversalTime()));
        Assert.Equal(Now.AddYears(20), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
        var basic = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.False(basic.CertificateAuthority);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        var authority = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single();
        var caKeyId = world.FactoryCa.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes;
        Assert.Equal(caKeyId.ToArray(), authority.KeyIdentifier!.Value.ToArray());
        var serial = certificate.SerialNumberBytes.ToArray();
        Assert.Equal(16, serial.Length);
        Assert.True(new BigInteger(serial, isUnsigned: false, isBigEndian: true) > 0);

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(world.FactoryCa.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Now.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        Assert.True(chain.Build(certificate), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));

        // The factory key is an encrypted key file like the device key, for this certificate, and not the device key.
        var keyFile = await File.ReadAllTextAsync(Path.Combine(device, DevicePaths.FactoryKey));
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", keyFile, StringComparison.Ordinal);
        var factoryKey = TestKeys.PublicKey(Path.Combine(device, DevicePaths.FactoryKey)).KeyValue.Public;
        Assert.Equal(Spki(factoryKey), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.NotEqual(Spki(TestKeys.PublicKey(Path.Combine(device, DevicePaths.DeviceKey)).KeyValue.Public), certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public async Task Provision_FactoryCaWithEncryptedKey_Exit2AndNothingLeftBehind()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var encrypted = world.FactoryCa.Key.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        await File.WriteAllTextAsync(Path.Combine(world.DevFactory, "ca.key"), encrypted);
        var device = world.Factory.Combine("new-device");

        var result = await world.ProvisionAsync(device, "--trust", world.TrustDirectory, "--factory-ca", world.DevFactory);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ca.key is encrypted", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device));
    }

    [Fact]
    public async Task Provision_FactoryCaKeyOfAnotherCa_Exit2AndNothingLeftBehind()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        await File.WriteAllTextAsync(Path.Combine(world.DevFactory, "ca.key"), world.StrangerCa.Key.ExportPkcs8PrivateKeyPem());
        var device = world.Factory.Combine("new-device");

        var result = await world.ProvisionAsync(device, "--trust", world.TrustDirectory, "--factory-ca", world.DevFactory);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ca.key is not the key of ca.pem", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device));
    }

    [Fact]
    public async Task Provision_FactoryCertAndKey_StoresThemAndTakesTheIdFromTheCn()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var (certificate, key) = IssueFactoryIdentity(world, "gw-0042");
        var device = world.Factory.Combine("new-device");

        var result = await world.ProvisionAsync(device, "--trust", world.TrustDirectory, "--factory-cert", certificate, "--factory-key", key);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"provisioned device gw-0042 (gw) in {device}; fleet CA stored, factory identity stored; nothing installed yet", result.Output.Trim());
        var identity = ReleaseFactory.OpenDevice(device).Identity;
        Assert.Equal("gw-0042", identity.Id);
        Assert.Equal(key, identity.FactoryKey);
        using var stored = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(device, DevicePaths.FactoryCertificate)));
        using var given = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificate));
        Assert.Equal(given.Thumbprint, stored.Thumbprint);
    }

    [Fact]
    public async Task Provision_FactoryCertWithAnotherKey_Exit2AndNoDirectory()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var (certificate, _) = IssueFactoryIdentity(world, "gw-0042");
        var otherKey = TestKeys.Create(world.Factory.Combine("factory-keys"), "other");
        var device = world.Factory.Combine("new-device");

        var result = await world.ProvisionAsync(device, "--trust", world.TrustDirectory, "--factory-cert", certificate, "--factory-key", otherKey);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not the certificate of --factory-key", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device));
    }

    [Fact]
    public async Task Provision_FactoryCertForAnotherId_Exit2AndNoDirectory()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var (certificate, key) = IssueFactoryIdentity(world, "gw-0042");
        var device = world.Factory.Combine("new-device");

        var result = await world.ProvisionAsync(device, "--id", "gw-0001", "--trust", world.TrustDirectory, "--factory-cert", certificate, "--factory-key", key);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--factory-cert is issued to CN=gw-0042, but the device id is gw-0001", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device));
    }

    [Theory]
    [InlineData("ca+cert")]
    [InlineData("cert-only")]
    [InlineData("key-only")]
    [InlineData("ca-missing")]
    public async Task Provision_FactoryFlagsThatDoNotGoTogether_Exit2AndNoDirectory(string kind)
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var (certificate, key) = IssueFactoryIdentity(world, "gw-0001");
        var device = world.Factory.Combine("new-device");
        string[] flags = kind switch
        {
            "ca+cert" => ["--factory-ca", world.DevFactory, "--factory-cert", certificate, "--factory-key", key],
            "cert-only" => ["--factory-cert", certificate],
            "key-only" => ["--factory-key", key],
            _ => ["--factory-ca", world.Factory.Combine("nowhere")],
        };

        var result = await world.ProvisionAsync(device, ["--trust", world.TrustDirectory, .. flags]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("otter-agent: --factory-", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(device));
    }

    /// <summary>A factory identity a manufacturer would have put on the device: a key file and a certificate from the manufacturer CA.</summary>
    private static (string Certificate, string Key) IssueFactoryIdentity(FleetWorld world, string id)
    {
        var key = TestKeys.Create(world.Factory.Combine("factory-keys"), id);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(TestKeys.PublicKey(key).KeyValue.Public);
        var request = new CertificateRequest($"CN={id}", ecdsa, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TestCa.ClientAuthOid)], false));
        using var certificate = world.FactoryCa.Issue(request);
        var path = world.Factory.Combine("factory-keys", id + ".pem");
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
        return (path, key);
    }

    private static byte[] Spki(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return key.ExportSubjectPublicKeyInfo();
    }
}
