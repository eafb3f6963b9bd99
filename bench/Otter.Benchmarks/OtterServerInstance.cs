using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Otter.Server.Setup;
using Otter.Trust.Keys;

namespace Otter.Benchmarks;

/// <summary>
/// An Otter server data directory made as <c>otter server init</c> makes it (fast key files), and
/// <c>otter server run</c> on it in a child process: otter.dll from this project's output.
/// </summary>
internal sealed partial class OtterServerInstance : IDisposable
{
    public const string Passphrase = "otter-bench";

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    private OtterServerInstance(string root, string adminKey)
    {
        Root = root;
        AdminKey = adminKey;
        CaCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(DataDirectory, "pki", "ca.pem")));
    }

    /// <summary>The passphrase of every key file the bench makes.</summary>
    public static IPassphraseSource Passphrases { get; } = new FixedPassphraseSource(Passphrase);

    public string Root { get; }

    public string DataDirectory => Path.Combine(Root, "data");

    /// <summary>The SQLite database (the default provider).</summary>
    public string SqliteDatabase => Path.Combine(DataDirectory, "otter.db");

    public string AdminKey { get; }

    /// <summary>The fleet CA: issues the server's TLS certificate and the device certificates.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>Initialises <c>ROOT/data</c>, then sets <c>device_requests_per_minute</c> in server.json when given.</summary>
    public static async Task<OtterServerInstance> InitAsync(string root, int? deviceRequestsPerMinute)
    {
        Directory.CreateDirectory(root);
        var rootKey = Path.Combine(root, "root.key");
        using (var key = EcdsaP256.Generate())
        {
            KeyFile.Write(rootKey, key, Passphrase, iterations: 1000);
        }

        using var rootHandle = new KeyLoader(Passphrases).Open(rootKey);
        var result = await ServerInitializer.InitAsync(
            new ServerInitOptions
            {
                DataDirectory = Path.Combine(root, "data"),
                RootKeys = [rootHandle],
                Hostname = "otter.bench",
                KeyFileIterations = 1000,
            },
            Passphrases,
            TimeProvider.System);
        var instance = new OtterServerInstance(root, result.AdminApiKey);
        if (deviceRequestsPerMinute is { } perMinute)
        {
            instance.SetDeviceRequestsPerMinute(perMinute);
        }

        // BENCH_LAST_SEEN_RESOLUTION=0 measures the server writing every check-in (the default writes an unchanged one at most every 300 s per device).
        if (Environment.GetEnvironmentVariable("BENCH_LAST_SEEN_RESOLUTION") is { Length: > 0 } resolution)
        {
            var path = new ServerPaths(instance.DataDirectory).Settings;
            var settings = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            settings["last_seen_resolution_seconds"] = int.Parse(resolution, System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllText(path, settings.ToJsonString(Indented));
        }

        return instance;
    }

    /// <summary>The value of <c>device_requests_per_minute</c> in server.json, as the server reads it.</summary>
    public int DeviceRequestsPerMinute => ServerState.ReadSettings(new ServerPaths(DataDirectory)).DeviceRequestsPerMinute;

    /// <summary>The server's TLS certificate (PEM) and its key file (passphrase <see cref="Passphrase"/>).</summary>
    public (string CertificatePem, string KeyFile) TlsFiles()
    {
        var paths = new ServerPaths(DataDirectory);
        var settings = ServerState.ReadSettings(paths);
        return (paths.TlsCertificate, paths.ResolveKey(settings.Keys.Tls));
    }

    /// <summary>
    /// Starts <c>otter server run</c> with both endpoints on loopback ports the OS chooses; the
    /// ready line gives the bound URLs (groups <c>api</c> and <c>device</c>).
    /// </summary>
    public Task<ChildServer> StartAsync(string logPath)
    {
        var directory = AppContext.BaseDirectory;
        var apphost = Path.Combine(directory, "otter");
        var (fileName, arguments) = File.Exists(apphost)
            ? (apphost, new List<string>())
            : ("dotnet", [Path.Combine(directory, "otter.dll")]);
        arguments.AddRange(["server", "run", "--data", DataDirectory, "--api-url", "https://127.0.0.1:0", "--device-url", "https://127.0.0.1:0"]);
        return ChildServer.StartAsync(
            "otter server",
            fileName,
            arguments,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["OTTER_KEY_PASSPHRASE"] = Passphrase },
            logPath,
            ReadyLine());
    }

    /// <summary>A handler that trusts only the fleet CA (which issued the server's TLS certificate): one connection, HTTP/1.1 keep-alive.</summary>
    public SocketsHttpHandler Handler(X509Certificate2? clientCertificate) => LoopbackTls.Handler(CaCertificate, clientCertificate);

    /// <summary>A client for the management API with the admin key.</summary>
    public HttpClient Api(Uri apiUrl)
    {
        var client = new HttpClient(Handler(null)) { BaseAddress = apiUrl, Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    public void Dispose() => CaCertificate.Dispose();

    // What the server would read is what counts: server.json disallows unknown members, and the
    // value is read back through the server's own settings reader.
    private void SetDeviceRequestsPerMinute(int perMinute)
    {
        var path = new ServerPaths(DataDirectory).Settings;
        var settings = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        settings["device_requests_per_minute"] = perMinute;
        File.WriteAllText(path, settings.ToJsonString(Indented));
        if (DeviceRequestsPerMinute != perMinute)
        {
            throw new InvalidOperationException($"server.json says device_requests_per_minute {DeviceRequestsPerMinute} after setting it to {perMinute}");
        }
    }

    // "otter server: management API, /repo and /log on https://127.0.0.1:1234/; device API on https://127.0.0.1:1235/. Ctrl-C stops."
    [GeneratedRegex(@"on (?<api>https://\S+/); device API on (?<device>https://\S+/)\.")]
    private static partial Regex ReadyLine();
}
