using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Agent.Tests.TestSupport;
using Otter.Protocol.Device;
using Otter.Trust.Attestation;
using Otter.Trust.Keys;

namespace Otter.Agent.Tests.Fleet;

/// <summary>A device whose device key and factory key live in a PKCS#11 token (SoftHSM): the CSR, the factory signature, mTLS and the quote all sign in the token.</summary>
[Collection(SoftHsmCollectionDefinition.Name)]
public sealed class FleetPkcs11Tests(SoftHsmFixture hsm)
{
    [RequiresSoftHsmFact]
    public async Task RunOnce_KeysInAToken_EnrollsOverMtlsInstallsAndAttests()
    {
        await using var world = await FleetWorld.StartAsync(provision: false);
        var deviceKey = hsm.Token["targets"];
        var factoryKey = hsm.Token["snapshot"];
        var factoryCertificate = world.Factory.Combine("factory.pem");
        using (var factoryPublic = ECDsa.Create())
        {
            factoryPublic.ImportFromPem(factoryKey.PublicKeyPem);
            var request = new CertificateRequest($"CN={ReleaseFactory.DeviceId}", factoryPublic, HashAlgorithmName.SHA256);
            using var issued = world.FactoryCa.Issue(request);
            await File.WriteAllTextAsync(factoryCertificate, issued.ExportCertificatePem() + "\n");
        }

        var provision = await world.ProvisionAsync(
            world.Device, "--trust", world.TrustDirectory, "--key", deviceKey.Uri(hsm.Token.UserPin),
            "--factory-cert", factoryCertificate, "--factory-key", factoryKey.Uri(hsm.Token.UserPin));
        Assert.True(provision.ExitCode == 0, provision.ToString());
        world.Server.AssignUpdate(ReleaseFactory.V1, "1.0");

        var result = await world.RunOnceAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [ReportPhases.Downloading, ReportPhases.Installed, ReportPhases.Committed],
            world.Server.Reports.Select(r => r.Phase));
        var enrollment = Assert.Single(world.Server.Enrollments);
        var csr = CertificateRequest.LoadSigningRequestPem(enrollment.Csr, HashAlgorithmName.SHA256);
        Assert.Equal(Spki(deviceKey.PublicKeyPem!), csr.PublicKey.ExportSubjectPublicKeyInfo());
        using var fleetCertificate = X509Certificate2.CreateFromPem(Assert.Single(world.Server.IssuedCertificates));
        Assert.All(world.Server.Requests.Skip(1), r => Assert.Equal(fleetCertificate.Thumbprint, r.ClientCertificate?.Thumbprint));
        var quote = world.Server.CheckIns.Last().Quote!;
        Assert.True(QuoteSigner.Verify(quote, EcdsaP256.ToTufKeyFromPem(deviceKey.PublicKeyPem!)));
    }

    private static byte[] Spki(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return key.ExportSubjectPublicKeyInfo();
    }
}
