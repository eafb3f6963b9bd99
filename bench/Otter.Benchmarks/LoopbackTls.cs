using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Otter.Benchmarks;

/// <summary>The load clients' HTTP handler: trusts one root only, one connection, HTTP/1.1 keep-alive for the whole run.</summary>
internal static class LoopbackTls
{
    public static SocketsHttpHandler Handler(X509Certificate2 root, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { root },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return handler;
    }
}
