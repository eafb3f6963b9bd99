using System.Globalization;
using System.Text.Json;
using Otter.Protocol;
using Otter.Protocol.Management;

namespace Otter.Cli.Tests.TestSupport;

/// <summary>
/// A real fleet server shared by the tests of one class (devices enroll pending, so approval can
/// be tested), with helpers that run otter against it and make bundles. Tests use unique names
/// so they neither interfere nor depend on their order.
/// </summary>
public sealed class ManagementServer : IAsyncLifetime, IAsyncDisposable
{
    private readonly TempDirectory _temp = new("otter-mgmt-");
    private ServerFixture? _server;
    private string? _bootKey;

    public ServerFixture Server => _server ?? throw new InvalidOperationException("the server is not started.");

    public string WorkDirectory => _temp.Path;

    /// <summary>The fleet CA, as <c>--server-ca</c> takes it.</summary>
    public string CaFile => Path.Combine(Server.DataDirectory, "pki", "ca.pem");

    /// <summary>The log's public key (PEM), as <c>--log-key</c> takes it.</summary>
    public string LogKeyFile => Path.Combine(Server.DataDirectory, "device-trust", "log.pub");

    internal OtterRunner Runner { get; } = new(TimeProvider.System);

    /// <summary>A server of the caller's own (for tests that damage it).</summary>
    public static async Task<ManagementServer> StartAsync()
    {
        var server = new ManagementServer();
        await server.InitializeAsync();
        return server;
    }

    public async Task InitializeAsync()
    {
        _server = await ServerFixture.StartAsync(requireApproval: true);
        _bootKey = TestKeys.Create(_temp.Path, "boot");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _temp.Dispose();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>A name no other test uses.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>Runs otter with the admin key, the server URL and the fleet CA appended.</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunAsAsync(Server.AdminKey, args);

    public Task<CliResult> RunAsAsync(string apiKey, params string[] args) => Runner.RunAsync([.. args, .. ConnectionArguments(apiKey)]);

    /// <summary><c>--server URL --api-key KEY --server-ca FILE</c> for this server.</summary>
    public string[] ConnectionArguments(string apiKey) => ["--server", Server.ApiUrl.ToString(), "--api-key", apiKey, "--server-ca", CaFile];

    /// <summary>Runs otter and fails the test unless it exits 0.</summary>
    public async Task<CliResult> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"otter {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>A real bundle (one OS stage of <paramref name="size"/> random bytes) signed with a test boot key.</summary>
    public async Task<string> CreateBundleAsync(string version, string hardware, long securityCounter = 1, int size = 64 * 1024)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_temp.Path, Unique("bundle"))).FullName;
        var stage = Path.Combine(directory, "rootfs.img");
        await File.WriteAllBytesAsync(stage, System.Security.Cryptography.RandomNumberGenerator.GetBytes(size));
        var bundle = Path.Combine(directory, "release.otb");
        var result = await Runner.RunAsync(
            "bundle", "create", "--out", bundle, "--boot-key", _bootKey!, "--version", version,
            "--security-counter", securityCounter.ToString(CultureInfo.InvariantCulture), "--hardware", hardware, "--stage", $"os={stage}");
        Assert.True(result.ExitCode == 0, result.ToString());
        return bundle;
    }

    /// <summary>Publishes a new bundle under a unique name and returns the name.</summary>
    public async Task<string> PublishAsync(string hardware)
    {
        var name = Unique("fw") + ".otb";
        var bundle = await CreateBundleAsync("1.0.0", hardware);
        await RunOkAsync("release", "publish", bundle, "--name", name);
        return name;
    }

    /// <summary>Creates an API key with <paramref name="role"/> and returns it.</summary>
    public async Task<string> CreateKeyAsync(string role)
    {
        var result = await RunOkAsync("api-key", "create", "--name", Unique(role), "--role", role, "--json");
        return JsonSerializer.Deserialize(result.Output, ProtocolJsonContext.Default.ApiKeyCreated)!.Key;
    }

    /// <summary>Enrolls a device with a unique id (pending) and returns the id.</summary>
    public async Task<string> EnrollAsync(string hardware = "gw-x2")
    {
        var id = Unique("dev");
        var response = await DeviceEnrollment.EnrollAsync(Server, id, hardware);
        Assert.Equal(DeviceStatuses.Pending, response.Status);
        return id;
    }
}
