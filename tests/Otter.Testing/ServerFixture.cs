using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Otter.Server.Hosting;
using Otter.Server.Setup;
using Otter.Trust.Keys;

namespace Otter.Testing;

/// <summary>
/// A real Otter server for tests: a fresh data directory made by <see cref="ServerInitializer"/>
/// (fast key files), both endpoints on loopback ports chosen by the OS, real TLS, SQLite or a
/// fresh PostgreSQL database. Restartable on the same data directory.
/// </summary>
public sealed class ServerFixture : IAsyncDisposable
{
    private readonly TempDirectory _temp;
    private readonly string? _database;
    private readonly TimeProvider _time;
    private readonly bool _backgroundWork;
    private OtterServerHost? _host;

    private ServerFixture(TempDirectory temp, string adminKey, string? database, TimeProvider time, bool backgroundWork)
    {
        _backgroundWork = backgroundWork;
        _temp = temp;
        AdminKey = adminKey;
        _database = database;
        _time = time;
        CaCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(DataDirectory, "pki", "ca.pem")));
    }

    /// <summary>The server data directory.</summary>
    public string DataDirectory => Path.Combine(_temp.Path, "data");

    /// <summary>A scratch directory beside it.</summary>
    public string WorkDirectory => _temp.Path;

    /// <summary>The bootstrap admin API key.</summary>
    public string AdminKey { get; }

    /// <summary>The fleet CA.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The offline root key made for the repository.</summary>
    public string RootKey => Path.Combine(_temp.Path, "keys", "root.key");

    /// <summary>Management API base URL.</summary>
    public Uri ApiUrl => _host?.ApiUrl ?? throw new InvalidOperationException("the server is not running.");

    /// <summary>Device API base URL.</summary>
    public Uri DeviceUrl => _host?.DeviceUrl ?? throw new InvalidOperationException("the server is not running.");

    /// <summary>Everything the server logged (information and above).</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>The running server's services.</summary>
    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("the server is not running.");

    /// <summary>The passphrase source for the server's keys.</summary>
    public static IPassphraseSource Passphrases { get; } = new FixedPassphraseSource(TestKeys.Passphrase);

    /// <summary>Initialises a data directory and starts the server.</summary>
    public static async Task<ServerFixture> StartAsync(string? database = null, bool requireApproval = false, TimeProvider? time = null, bool backgroundWork = true)
    {
        var temp = new TempDirectory();
        time ??= TimeProvider.System;
        var root = TestKeys.Create(Path.Combine(temp.Path, "keys"), "root");
        var loader = new KeyLoader(Passphrases);
        using var rootHandle = loader.Open(root);
        var result = await ServerInitializer.InitAsync(
            new ServerInitOptions
            {
                DataDirectory = Path.Combine(temp.Path, "data"),
                RootKeys = [rootHandle],
                Hostname = "otter.test",
                Database = database,
                RequireApproval = requireApproval,
                KeyFileIterations = 1000,
            },
            Passphrases,
            time);
        var fixture = new ServerFixture(temp, result.AdminApiKey, database, time, backgroundWork);
        await fixture.StartServerAsync();
        return fixture;
    }

    /// <summary>Starts the server on the data directory (after <see cref="StopAsync"/>).</summary>
    public async Task StartServerAsync(string? apiUrl = "https://127.0.0.1:0", string? deviceUrl = "https://127.0.0.1:0")
    {
        _host = await OtterServerHost.CreateAsync(
            new ServerRunOptions { DataDirectory = DataDirectory, ApiUrl = apiUrl, DeviceUrl = deviceUrl, Database = _database, BackgroundWork = _backgroundWork },
            Passphrases,
            _time,
            logging: builder => builder.AddProvider(Logs));
        await _host.StartAsync();
    }

    /// <summary>Stops the server; the data directory stays.</summary>
    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }
    }

    /// <summary>An HTTP client for the management API that trusts only the fleet CA, with an API key (the admin's by default).</summary>
    public HttpClient Api(string? apiKey = null)
    {
        var client = new HttpClient(Handler(null)) { BaseAddress = ApiUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey ?? AdminKey);
        return client;
    }

    /// <summary>An HTTP client for the device API, optionally presenting <paramref name="clientCertificate"/>.</summary>
    public HttpClient Device(X509Certificate2? clientCertificate = null) =>
        new(Handler(clientCertificate)) { BaseAddress = DeviceUrl };

    /// <summary>A handler that trusts only the fleet CA.</summary>
    public SocketsHttpHandler Handler(X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { CaCertificate },
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

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        CaCertificate.Dispose();
        _temp.Dispose();
    }
}
