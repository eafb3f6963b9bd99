using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Otter.Protocol;
using Otter.Protocol.Rollouts;
using Otter.Server.Hosting;
using Otter.Server.Rollouts;
using Otter.Trust.Bundles;
using Otter.Trust.Keys;

namespace Otter.Benchmarks;

/// <summary>
/// An Otter server in the bench process (<see cref="OtterServerHost"/>) on a data directory of
/// <see cref="OtterServerInstance"/>, with its background loops off, so that the bench ticks the
/// rollout engine itself and can time each tick; its management API is reached over loopback TLS.
/// </summary>
internal sealed class InProcessOtter : IAsyncDisposable
{
    private readonly OtterServerHost _host;

    private InProcessOtter(OtterServerHost host, HttpClient api)
    {
        _host = host;
        Api = api;
    }

    /// <summary>The management API with the admin key.</summary>
    public HttpClient Api { get; }

    public Uri DeviceUrl => _host.DeviceUrl;

    public RolloutEngine Engine => _host.Services.GetRequiredService<RolloutEngine>();

    /// <param name="server">The data directory.</param>
    /// <param name="backgroundWork">The server's background loops (rollout engine, alert dispatcher…): off unless a harness measures them.</param>
    public static async Task<InProcessOtter> StartAsync(OtterServerInstance server, bool backgroundWork = false)
    {
        var host = await OtterServerHost.CreateAsync(
            new ServerRunOptions { DataDirectory = server.DataDirectory, ApiUrl = "https://127.0.0.1:0", DeviceUrl = "https://127.0.0.1:0", BackgroundWork = backgroundWork },
            OtterServerInstance.Passphrases,
            TimeProvider.System,
            logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        try
        {
            await host.StartAsync();
            return new InProcessOtter(host, server.Api(host.ApiUrl));
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Publishes a small real bundle (a 64 KiB os stage, manifest signed by a new boot key) for <see cref="BenchDevice.Hardware"/> as <paramref name="name"/>.</summary>
    public async Task PublishAsync(string directory, string name, string version, long counter)
    {
        Directory.CreateDirectory(directory);
        var os = Path.Combine(directory, $"os-{version}.img");
        await File.WriteAllBytesAsync(os, RandomNumberGenerator.GetBytes(64 * 1024));
        var bundle = Path.Combine(directory, $"release-{version}.otb");
        using (var bootKey = new EcdsaSigner(EcdsaP256.Generate(), "bench-boot"))
        using (var output = File.Create(bundle))
        {
            BundleWriter.Write(output, version, counter, BenchDevice.Hardware, [new BundleStageInput("os", os)], bootKey);
        }

        await using var file = File.OpenRead(bundle);
        using var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await Api.PostAsync($"api/v1/releases?name={Uri.EscapeDataString(name)}", content);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"publishing {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary><c>POST /api/v1/rollouts</c>.</summary>
    public async Task<RolloutView> CreateRolloutAsync(RolloutRequest request)
    {
        using var response = await Api.PostAsJsonAsync("api/v1/rollouts", request, ProtocolJsonContext.Default.RolloutRequest);
        return await ViewAsync(response, HttpStatusCode.Created, "creating the rollout");
    }

    /// <summary><c>POST /api/v1/rollouts/ID/ACTION</c>.</summary>
    public async Task<RolloutView> ActAsync(long id, string action)
    {
        using var response = await Api.PostAsync($"api/v1/rollouts/{id}/{action}", null);
        return await ViewAsync(response, HttpStatusCode.OK, action + " rollout " + id);
    }

    /// <summary><c>GET /api/v1/rollouts/ID</c>.</summary>
    public async Task<RolloutView> StatusAsync(long id)
    {
        using var response = await Api.GetAsync($"api/v1/rollouts/{id}");
        return await ViewAsync(response, HttpStatusCode.OK, "reading rollout " + id);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await _host.DisposeAsync();
    }

    private static async Task<RolloutView> ViewAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.RolloutView)
            ?? throw new InvalidOperationException($"{what}: an empty answer");
    }
}
