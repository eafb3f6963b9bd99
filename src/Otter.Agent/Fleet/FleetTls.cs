using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Otter.Agent.Fleet;

/// <summary>
/// HTTPS to the fleet server: its certificate must chain to the fleet CA the device was
/// provisioned with, and to nothing else (no system roots); the host name is checked as usual.
/// Validation is never switched off.
/// </summary>
internal static class FleetTls
{
    /// <summary>A handler that trusts only <paramref name="fleetCa"/> and, when given, presents <paramref name="clientCertificate"/> (with its private key).</summary>
    public static SocketsHttpHandler CreateHandler(X509Certificate2Collection fleetCa, X509Certificate2? clientCertificate)
    {
        ArgumentNullException.ThrowIfNull(fleetCa);
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,

            // A device fleet CA publishes no revocation lists or issuer URLs the device could reach.
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(fleetCa);
        var ssl = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        if (clientCertificate is not null)
        {
            ssl.ClientCertificates = [clientCertificate];

            // The one certificate, whatever issuers the server lists as acceptable.
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        return new SocketsHttpHandler
        {
            SslOptions = ssl,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
    }
}
