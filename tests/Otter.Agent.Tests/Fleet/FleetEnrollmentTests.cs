using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Agent.Fleet;
using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;

namespace Otter.Agent.Tests.Fleet;

/// <summary>The enrollment request passes the checks a fleet server makes: a self-signed CSR for the device key, a factory identity from the manufacturer CA, and a factory signature over the CSR.</summary>
public sealed class FleetEnrollmentTests
{
    [Fact]
    public async Task CreateRequest_FactoryCaDevice_PassesTheServersChecks()
    {
        await using var world = await FleetWorld.StartAsync();
        var storage = new DirectoryDeviceStorage(world.Device);
        var platform = new SimulatedDevicePlatform(storage, ReleaseFactory.Passphrases);

        var request = FleetEnrollment.CreateRequest(platform, new FleetStore(storage, ReleaseFactory.Passphrases));

        // The CSR: loading it verifies its self-signature; it is for the device key and names the device.
        var csr = CertificateRequest.LoadSigningRequestPem(request.Csr, HashAlgorithmName.SHA256);
        Assert.Equal("CN=gw-0001", csr.SubjectName.Name);
        using var deviceKey = platform.OpenDeviceEcdsa();
        Assert.Equal(deviceKey.ExportSubjectPublicKeyInfo(), csr.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(ReleaseFactory.Hardware, request.Hardware);

        // The factory identity chains to the manufacturer CA for client authentication.
        using var factory = X509Certificate2.CreateFromPem(request.FactoryCertificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(world.FactoryCa.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(TestCa.ClientAuthOid));
        Assert.True(chain.Build(factory), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal("CN=gw-0001", factory.Subject);

        // The factory key signed exactly these CSR bytes, and it is not the device key.
        var der = Der(request.Csr);
        var signature = Convert.FromBase64String(request.FactorySignature);
        using var factoryKey = factory.GetECDsaPublicKey()!;
        Assert.True(factoryKey.VerifyData(der, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        der[^1] ^= 0x01;
        Assert.False(factoryKey.VerifyData(der, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.NotEqual(deviceKey.ExportSubjectPublicKeyInfo(), factory.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public async Task CreateRequest_CsrAlteredAfterSigning_FailsTheServersCheck()
    {
        await using var world = await FleetWorld.StartAsync();
        var storage = new DirectoryDeviceStorage(world.Device);
        var platform = new SimulatedDevicePlatform(storage, ReleaseFactory.Passphrases);
        var request = FleetEnrollment.CreateRequest(platform, new FleetStore(storage, ReleaseFactory.Passphrases));
        var der = Der(request.Csr);

        // The last byte is inside the CSR's own signature.
        der[^1] ^= 0x01;

        Assert.ThrowsAny<CryptographicException>(() => CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task CreateRequest_DeviceWithoutFactoryIdentity_RefusedWithWhatToDo()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var device = world.Factory.Combine("plain-device");
        Assert.Equal(0, (await world.ProvisionAsync(device, "--trust", world.TrustDirectory)).ExitCode);
        var storage = new DirectoryDeviceStorage(device);
        var platform = new SimulatedDevicePlatform(storage, ReleaseFactory.Passphrases);

        var error = Assert.Throws<AgentException>(() => FleetEnrollment.CreateRequest(platform, new FleetStore(storage, ReleaseFactory.Passphrases)));

        Assert.Contains("--factory-ca DIR or --factory-cert PEM --factory-key KEY", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Der(string pem)
    {
        var fields = PemEncoding.Find(pem);
        Assert.Equal("CERTIFICATE REQUEST", pem[fields.Label]);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }
}
