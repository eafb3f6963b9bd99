using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Otter.Protocol;
using Otter.Server.Api;
using Otter.Server.Audit;
using Otter.Server.Data;
using Otter.Server.Devices;
using Otter.Server.Releases;
using Otter.Server.Setup;
using Otter.Trust.Keys;

namespace Otter.Server.Hosting;

/// <summary>Builds and runs the server: two HTTPS endpoints (management + /repo + /log; device API with client certificates) over one set of services.</summary>
public sealed class OtterServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerState _state;

    private readonly ListenOptions[] _listeners;

    private OtterServerHost(WebApplication app, ServerState state, ListenOptions[] listeners)
    {
        _app = app;
        _state = state;
        _listeners = listeners;
    }

    /// <summary>The bound management URL (with the real port when 0 was asked for).</summary>
    public Uri ApiUrl { get; private set; } = null!;

    /// <summary>The bound device URL.</summary>
    public Uri DeviceUrl { get; private set; } = null!;

    /// <summary>The server's services (for tests and the embedded demo).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The fleet CA certificate (what clients trust the server's TLS certificate through).</summary>
    public X509Certificate2 CaCertificate => _state.CaCertificate;

    /// <summary>Loads the data directory and builds the host; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <exception cref="ServerSetupException">The data directory or an option is unusable; the message says what to fix.</exception>
    public static async Task<OtterServerHost> CreateAsync(ServerRunOptions options, IPassphraseSource passphrases, TimeProvider time, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var paths = new ServerPaths(options.DataDirectory);
        var settings = ServerState.ReadSettings(paths);
        settings = settings with
        {
            ApiUrl = options.ApiUrl ?? settings.ApiUrl,
            DeviceUrl = options.DeviceUrl ?? settings.DeviceUrl,
            Database = options.Database ?? Environment.GetEnvironmentVariable("OTTER_DATABASE") ?? settings.Database,
            PublicUrl = options.PublicUrl ?? settings.PublicUrl,
        };
        var apiEndpoint = ListenAddress.Parse(settings.ApiUrl, "--api-url");
        var deviceEndpoint = ListenAddress.Parse(settings.DeviceUrl, "--device-url");
        var state = await ServerState.LoadAsync(paths, settings, passphrases, cancellationToken);
        try
        {
            var certificate = LoadTlsCertificate(paths, settings, passphrases);
            // No configuration reloading: watching the data directory would wake on every database write.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = paths.Root, EnvironmentName = "Production", Args = ["--hostBuilder:reloadConfigOnChange=false"] });
            builder.Logging.ClearProviders();
            if (logging is not null)
            {
                logging(builder.Logging);
            }
            else
            {
                builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
            }

            var listeners = new ListenOptions[2];
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = settings.ApiBodyLimit;

                // Large downloads: let a response run ahead of the TLS writer instead of stalling at 64 KiB.
                kestrel.Limits.MaxResponseBufferSize = 1024 * 1024;
                kestrel.Listen(apiEndpoint, listen =>
                {
                    listeners[0] = listen;
                    listen.UseHttps(certificate);
                    listen.Use(FullTlsRecords.Use);
                });
                kestrel.Listen(deviceEndpoint, listen =>
                {
                    listeners[1] = listen;
                    listen.Use(next => connection =>
                    {
                        connection.Features.Set(DeviceEndpointFeature.Instance);
                        return next(connection);
                    });
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = certificate,
                        // Asked for at the handshake but judged by the middleware, which answers with a clear 401.
                        ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                        ClientCertificateValidation = (_, _, _) => true,
                        CheckCertificateRevocation = false,
                    });
                    listen.Use(FullTlsRecords.Use);
                });
            });
            builder.Services.AddOtterServer(state, time, options.BackgroundWork);
            var app = builder.Build();
            app.UseOtterServer(state);
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OtterDbContext>();
                await DatabaseSchema.EnsureAsync(db, settings.Database, cancellationToken);
                await scope.ServiceProvider.GetRequiredService<ReleaseReconciler>().RunAsync(db, cancellationToken);
            }

            return new OtterServerHost(app, state, listeners);
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>Starts listening.</summary>
    /// <exception cref="ServerSetupException">A port is taken.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new ServerSetupException($"cannot listen: {ex.Message}; another program holds the port. Stop it or choose another --api-url/--device-url.", ex);
        }

        // Kestrel writes the bound port back into the listen options (it differs when 0 was asked for).
        ApiUrl = Bound(_listeners[0].IPEndPoint!);
        DeviceUrl = Bound(_listeners[1].IPEndPoint!);
        _state.BoundApiUrl = _listeners[0].IPEndPoint!.Address.Equals(IPAddress.Any) || _listeners[0].IPEndPoint!.Address.Equals(IPAddress.IPv6Any)
            ? new Uri($"https://{_state.Settings.Hostname}:{ApiUrl.Port}/")
            : ApiUrl;
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.StopAsync(CancellationToken.None);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _state.Dispose();
    }

    private static Uri Bound(IPEndPoint bound)
    {
        var host = bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
            : bound.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + bound.Address + "]"
            : bound.Address.ToString();
        return new Uri($"https://{host}:{bound.Port}/");
    }

    private static X509Certificate2 LoadTlsCertificate(ServerPaths paths, ServerSettings settings, IPassphraseSource passphrases)
    {
        using var publicOnly = X509Certificate2.CreateFromPem(File.ReadAllText(paths.TlsCertificate));
        try
        {
            using var key = new KeyLoader(passphrases).OpenEcdsa(paths.ResolveKey(settings.Keys.Tls));
            return publicOnly.CopyWithPrivateKey(key);
        }
        catch (KeyException ex)
        {
            throw new ServerSetupException($"the TLS key {settings.Keys.Tls}: {ex.Message}", ex);
        }
    }
}
