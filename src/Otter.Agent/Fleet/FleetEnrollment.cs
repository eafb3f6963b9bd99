using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Agent.Platform;
using Otter.Protocol.Device;

namespace Otter.Agent.Fleet;

/// <summary>
/// What a device sends to enroll: a CSR made with its device key (the key its fleet certificate
/// will be for) and its factory identity, with a factory-key signature over the CSR that proves
/// the factory key is present and binds it to this request.
/// </summary>
internal static class FleetEnrollment
{
    /// <summary>The enrollment request of the device.</summary>
    /// <exception cref="AgentException">The device has no factory identity.</exception>
    public static EnrollRequest CreateRequest(IDevicePlatform platform, FleetStore store)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(store);
        var identity = platform.Identity;
        var factoryCertificate = store.ReadFactoryCertificate(identity);
        byte[] csr;
        using (var deviceKey = platform.OpenDeviceEcdsa())
        {
            csr = new CertificateRequest(FleetCertificates.Subject(identity.Id), deviceKey, HashAlgorithmName.SHA256).CreateSigningRequest();
        }

        using var factoryKey = store.OpenFactoryKey(identity);
        return new EnrollRequest
        {
            Csr = PemEncoding.WriteString("CERTIFICATE REQUEST", csr) + "\n",
            FactoryCertificate = factoryCertificate,
            FactorySignature = Convert.ToBase64String(factoryKey.Sign(csr)),
            Hardware = identity.Hardware,
        };
    }
}
