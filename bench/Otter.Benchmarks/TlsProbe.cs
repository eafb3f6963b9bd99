using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Otter.Benchmarks;

/// <summary>What TLS a server negotiates with this machine's .NET client, for the report: e.g. "TLS 1.3, TLS_AES_256_GCM_SHA384".</summary>
internal static class TlsProbe
{
    public static async Task<string> DescribeAsync(Uri url, X509Certificate2 root, X509Certificate2? clientCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port);
        await using var tls = new SslStream(tcp.GetStream());
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = url.Host,
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { root },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        };
        if (clientCertificate is not null)
        {
            options.ClientCertificates = [clientCertificate];
        }

        await tls.AuthenticateAsClientAsync(options);
        var protocol = tls.SslProtocol switch
        {
            System.Security.Authentication.SslProtocols.Tls13 => "TLS 1.3",
            System.Security.Authentication.SslProtocols.Tls12 => "TLS 1.2",
            var other => other.ToString(),
        };
        using var key = tls.RemoteCertificate is X509Certificate2 certificate ? certificate.GetECDsaPublicKey() : null;
        var keyType = key is null ? "server key not ECDSA" : $"ECDSA P-{key.KeySize} server key";
        return $"{protocol}, {tls.NegotiatedCipherSuite}, {keyType}";
    }
}
