using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Trust.Keys;

namespace Otter.Benchmarks;

/// <summary>
/// <c>kestrel-anchor CERT_PEM KEY_FILE</c> (passphrase in OTTER_KEY_PASSPHRASE): the reference of
/// the check-in benchmark, what Kestrel alone does. A minimal ASP.NET Core app on a loopback port
/// with the same TLS certificate as the Otter server and a client certificate required (any is
/// accepted: checking it against the device's row is Otter's work, which is what is measured),
/// and one endpoint, <c>POST /device/v1/checkin</c> (a plain request delegate), that reads the check-in JSON with the same
/// source-generated serializer and answers a small JSON object. No database, no auth, no limits.
/// </summary>
internal static class KestrelAnchor
{
    public const string Command = "kestrel-anchor";

    /// <summary>The line the parent waits for.</summary>
    public const string ReadyPrefix = "kestrel-anchor: listening on ";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args.Count != 2)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} CERT_PEM KEY_FILE (passphrase in OTTER_KEY_PASSPHRASE)");
            return 2;
        }

        var passphrase = Environment.GetEnvironmentVariable("OTTER_KEY_PASSPHRASE") ?? string.Empty;
        using var publicOnly = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(args[0]));
        using var key = new KeyLoader(new FixedPassphraseSource(passphrase)).OpenEcdsa(args[1]);
        using var certificate = publicOnly.CopyWithPrivateKey(key);

        // As the Otter host builds itself: the slim builder, no logging providers, no Server header.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (_, _, _) => true,
                CheckCertificateRevocation = false,
            }));
        });
        var app = builder.Build();
        app.MapPost("/device/v1/checkin", CheckInAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine(ReadyPrefix + address.TrimEnd('/') + "/");

        // Until SIGTERM (the host's console lifetime).
        await app.WaitForShutdownAsync();
        return 0;
    }

    // A plain request delegate: routing, the JSON read and the JSON write, nothing else.
    private static async Task CheckInAsync(HttpContext context)
    {
        if (context.Connection.ClientCertificate is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var request = await JsonSerializer.DeserializeAsync(context.Request.Body, ProtocolJsonContext.Default.CheckInRequest, context.RequestAborted);
        if (request is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        await context.Response.WriteAsJsonAsync(
            new CheckInResponse
            {
                Action = DeviceActions.None,
                AttestationNonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                NextCheckInSeconds = 60,
            },
            ProtocolJsonContext.Default.CheckInResponse,
            cancellationToken: context.RequestAborted);
    }
}
