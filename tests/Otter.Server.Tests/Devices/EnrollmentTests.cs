using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Tests.Support;

namespace Otter.Server.Tests.Devices;

/// <summary>Enrollment: factory chain, CSR and factory signature checks, clone refusal, approval policy.</summary>
public sealed class EnrollmentTests
{
    [Fact]
    public async Task Enroll_DevFactoryIdentity_IssuesFleetCertificateForTheCsrKey()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = TestDevice.Create(server);

        using var response = await device.EnrollAsync(server);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var certificate = device.ClientCertificate!;
        Assert.Equal("CN=" + device.Id, certificate.Subject);
        Assert.Equal(server.CaCertificate.Subject, certificate.Issuer);
        using var publicKey = certificate.GetECDsaPublicKey()!;
        Assert.Equal(device.Key.ExportSubjectPublicKeyInfo(), publicKey.ExportSubjectPublicKeyInfo());
        var view = await server.Api().GetFromJsonAsync($"api/v1/devices/{device.Id}", ProtocolJsonContext.Default.DeviceView);
        Assert.Equal(DeviceStatuses.Approved, view!.Status);
    }

    [Fact]
    public async Task Enroll_SameIdentityWithAnotherKey_RefusedAsCloneAndRecorded()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = TestDevice.Create(server);
        (await device.EnrollAsync(server)).Dispose();
        var original = device.ClientCertificate!.Thumbprint;

        device.Rekey();
        using var second = await device.EnrollAsync(server);

        await Http.AssertRefusedAsync(server, second, HttpStatusCode.Conflict, "already enrolled with another key");
        Assert.Equal(original, device.ClientCertificate!.Thumbprint);
        var events = await server.Api().GetFromJsonAsync($"api/v1/devices/{device.Id}/events", ProtocolJsonContext.Default.ListDeviceEventView);
        Assert.Contains(events!, e => e.Kind == "cloned-identity");
    }

    [Fact]
    public async Task Enroll_SameIdentitySameKey_ReissuesCertificate()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = TestDevice.Create(server);
        (await device.EnrollAsync(server)).Dispose();
        var first = device.ClientCertificate!.Thumbprint;

        using var again = await device.EnrollAsync(server);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.NotEqual(first, device.ClientCertificate!.Thumbprint);
    }

    [Fact]
    public async Task Enroll_FactoryCertificateFromUntrustedCa_Forbidden()
    {
        await using var server = await ServerFixture.StartAsync();
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Rogue manufacturer", otherKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var rogue = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(20));
        using var device = TestDevice.Create(server, caPem: rogue.ExportCertificatePem(), caKeyPem: otherKey.ExportPkcs8PrivateKeyPem());

        using var response = await device.EnrollAsync(server);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Forbidden, "trust-manufacturer");
        using var list = await server.Api().GetAsync($"api/v1/devices/{device.Id}");
        Assert.Equal(HttpStatusCode.NotFound, list.StatusCode);
    }

    [Fact]
    public async Task Enroll_ExpiredFactoryCertificate_Forbidden()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = TestDevice.Create(server, notAfter: DateTimeOffset.UtcNow.AddMinutes(-1));

        using var response = await device.EnrollAsync(server);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Forbidden, "expired");
    }

    [Fact]
    public async Task Enroll_FactorySignatureByAnotherKey_Forbidden()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = TestDevice.Create(server);
        var request = device.EnrollRequest() with { FactorySignature = Convert.ToBase64String(device.Key.SignData([1, 2, 3], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)) };

        using var response = await server.Device().PostAsJsonAsync("device/v1/enroll", request, ProtocolJsonContext.Default.EnrollRequest);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.Forbidden, "factory_signature");
    }

    [Theory]
    [InlineData("not a csr", "csr")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----", "csr")]
    public async Task Enroll_MalformedCsr_BadRequestAndNothingStored(string csr, string fragment)
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = TestDevice.Create(server);

        using var response = await server.Device().PostAsJsonAsync("device/v1/enroll", device.EnrollRequest() with { Csr = csr }, ProtocolJsonContext.Default.EnrollRequest);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.BadRequest, fragment);
        var devices = await server.Api().GetFromJsonAsync("api/v1/devices", ProtocolJsonContext.Default.ListDeviceView);
        Assert.Empty(devices!);
    }

    [Fact]
    public async Task Enroll_CsrForAnotherName_BadRequest()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = TestDevice.Create(server);
        var csr = new CertificateRequest("CN=someone-else", device.Key, HashAlgorithmName.SHA256).CreateSigningRequest();
        var request = device.EnrollRequest() with
        {
            Csr = PemEncoding.WriteString("CERTIFICATE REQUEST", csr),
            FactorySignature = Convert.ToBase64String(device.FactoryKey.SignData(csr, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
        };

        using var response = await server.Device().PostAsJsonAsync("device/v1/enroll", request, ProtocolJsonContext.Default.EnrollRequest);

        await Http.AssertRefusedAsync(server, response, HttpStatusCode.BadRequest, "CN=" + device.Id);
    }

    [Fact]
    public async Task Enroll_RequireApproval_PendingUntilOperatorApproves()
    {
        await using var server = await ServerFixture.StartAsync(requireApproval: true);
        using var device = TestDevice.Create(server);

        using var pending = await device.EnrollAsync(server);
        Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);
        Assert.Null(device.ClientCertificate);

        using var approve = await server.Api().PostAsync($"api/v1/devices/{device.Id}/approve", null);
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        using var approved = await device.EnrollAsync(server);

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.NotNull(device.ClientCertificate);
    }
}
