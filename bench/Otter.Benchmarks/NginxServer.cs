using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Otter.Benchmarks;

/// <summary>
/// nginx (the Debian package) as the reference of the download benchmark: its own configuration,
/// pid, logs and temporary directories under a directory of the run, a self-signed P-256
/// certificate for 127.0.0.1, HTTP/1.1 over TLS on a loopback port, <c>sendfile on</c>, and
/// <c>/repo/targets/</c> served from the Otter server's own targets directory (the same file).
/// </summary>
internal static class NginxServer
{
    /// <summary>The nginx executable: <paramref name="given"/>, else /usr/sbin/nginx, else one on PATH; null when there is none.</summary>
    public static string? Find(string? given)
    {
        if (given is not null)
        {
            return File.Exists(given) ? given : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return new[] { "/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin" }
            .Concat(path.Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Select(d => Path.Combine(d, "nginx"))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>nginx's version line, e.g. "nginx/1.22.1".</summary>
    public static string Version(string nginx)
    {
        var start = new ProcessStartInfo(nginx, ["-v"]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{nginx} did not start");
        var text = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return text.Trim().Replace("nginx version: ", string.Empty, StringComparison.Ordinal);
    }

    /// <summary>A self-signed P-256 certificate for 127.0.0.1, written as PEM files; the certificate is returned for the clients to trust.</summary>
    public static X509Certificate2 MakeCertificate(string certificatePath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    /// <summary>Writes the configuration under <paramref name="directory"/> and starts nginx in the foreground; the URL is <c>https://127.0.0.1:PORT/</c>.</summary>
    public static async Task<(ChildServer Server, Uri Url)> StartAsync(string nginx, string directory, string repository, string certificatePath, string keyPath)
    {
        Directory.CreateDirectory(directory);
        foreach (var temp in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            Directory.CreateDirectory(Path.Combine(directory, temp));
        }

        var port = FreePort();
        var conf = Path.Combine(directory, "nginx.conf");

        // As root, the workers would drop to "nobody", who cannot read the run's private directories.
        var user = Environment.UserName == "root" ? "user root;\n" : string.Empty;
        var targets = Path.Combine(repository, "targets") + "/";
        await File.WriteAllTextAsync(conf, string.Create(CultureInfo.InvariantCulture, $$"""
            # Written by the Otter bench (server-download); a reference server for range downloads.
            daemon off;
            master_process on;
            {{user}}worker_processes auto;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events {
                worker_connections 1024;
            }
            http {
                access_log off;
                sendfile on;
                tcp_nopush on;
                keepalive_timeout 300s;
                keepalive_requests 1000000;
                default_type application/octet-stream;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{certificatePath}};
                    ssl_certificate_key {{keyPath}};
                    ssl_protocols TLSv1.2 TLSv1.3;
                    location /repo/targets/ {
                        alias {{targets}};
                    }
                }
            }

            """));
        var server = await ChildServer.StartAsync(
            "nginx",
            nginx,
            ["-p", directory + "/", "-c", conf, "-e", Path.Combine(directory, "error.log")],
            new Dictionary<string, string>(StringComparer.Ordinal),
            Path.Combine(directory, "nginx-output.log"),
            ready: null,
            probe: () => Task.FromResult(Listening(port)));
        return (server, new Uri(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{port}/")));
    }

    // A port the OS just handed out and took back: nginx cannot be asked for port 0 and tell which it got.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
