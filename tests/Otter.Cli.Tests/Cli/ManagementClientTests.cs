using System.Net;
using System.Net.Sockets;
using Otter.Cli.Tests.TestSupport;

namespace Otter.Cli.Tests.Cli;

/// <summary>How management commands find the server, the key and the CA, and what they say when they cannot connect.</summary>
public sealed class ManagementClientTests(ManagementServer server) : IClassFixture<ManagementServer>
{
    private const string SomeKey = "otter_0123456789ab_secret";

    [Fact]
    public async Task Run_NoServerFlagOrVariable_Exit2NamingBoth()
    {
        var result = await new OtterRunner().RunAsync("device", "list", "--api-key", SomeKey);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: no fleet server given: pass --server URL or set OTTER_SERVER (e.g. https://127.0.0.1:8443).\n", result.Error);
    }

    [Fact]
    public async Task Run_NoApiKeyFlagOrVariable_Exit2NamingBoth()
    {
        var result = await new OtterRunner().RunAsync("release", "list", "--server", "https://127.0.0.1:8443");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: no API key given: set OTTER_API_KEY or pass --api-key KEY (`otter server init` printed the admin key).\n", result.Error);
    }

    [Fact]
    public async Task Run_SettingsFromVariables_Connects()
    {
        var runner = new OtterRunner
        {
            Variables = new Dictionary<string, string>
            {
                ["OTTER_SERVER"] = server.Server.ApiUrl.ToString(),
                ["OTTER_API_KEY"] = server.Server.AdminKey,
                ["OTTER_SERVER_CA"] = server.CaFile,
            },
        };

        var result = await runner.RunAsync("release", "list", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("[", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FlagsAndVariables_FlagsWin()
    {
        var runner = new OtterRunner
        {
            Variables = new Dictionary<string, string> { ["OTTER_SERVER"] = "https://127.0.0.1:1", ["OTTER_API_KEY"] = SomeKey },
        };

        var result = await runner.RunAsync("release", "list", "--server", server.Server.ApiUrl.ToString(), "--api-key", server.Server.AdminKey, "--server-ca", server.CaFile);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:8443")]
    [InlineData("127.0.0.1:8443")]
    [InlineData("https://127.0.0.1:8443/?x=1")]
    public async Task Run_NotAnHttpsUrl_Exit2(string url)
    {
        var result = await new OtterRunner().RunAsync("device", "list", "--server", url, "--api-key", SomeKey);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: --server \"{url}\" is not an https:// URL of the management API; give e.g. https://127.0.0.1:8443.\n", result.Error);
    }

    [Fact]
    public async Task Run_BadUrlInVariable_Exit2NamingTheVariable()
    {
        var runner = new OtterRunner { Variables = new Dictionary<string, string> { ["OTTER_SERVER"] = "ftp://x", ["OTTER_API_KEY"] = SomeKey } };

        var result = await runner.RunAsync("device", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("otter: OTTER_SERVER \"ftp://x\" is not an https:// URL", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ApiKeyWithSpace_Exit2()
    {
        var result = await new OtterRunner().RunAsync("device", "list", "--server", "https://127.0.0.1:8443", "--api-key", "otter_x y");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: --api-key holds spaces or characters an API key never has; give the key exactly as printed (otter_…).\n", result.Error);
    }

    [Fact]
    public async Task Run_MissingCaFile_Exit2()
    {
        var missing = Path.Combine(server.WorkDirectory, "no-ca.pem");

        var result = await new OtterRunner().RunAsync("device", "list", "--server", "https://127.0.0.1:8443", "--api-key", SomeKey, "--server-ca", missing);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"otter: --server-ca {missing} does not exist; give the fleet CA certificate (the server's pki/ca.pem).\n", result.Error);
    }

    [Fact]
    public async Task Run_CaOfAnotherIssuer_Exit1CertificateNotTrusted()
    {
        // A real CA, but not the one that issued the server's TLS certificate.
        var otherCa = Path.Combine(server.Server.DataDirectory, "dev-factory", "ca.pem");

        var result = await new OtterRunner().RunAsync("device", "list", "--server", server.Server.ApiUrl.ToString(), "--api-key", server.Server.AdminKey, "--server-ca", otherCa);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"otter: the TLS certificate of {server.Server.ApiUrl} is not trusted: ", result.Error, StringComparison.Ordinal);
        Assert.EndsWith($"; is --server-ca {otherCa} the CA of this server (its pki/ca.pem)?\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoCaGiven_SystemTrustRefusesFleetCertificate_Exit1SuggestsServerCa()
    {
        var result = await new OtterRunner().RunAsync("device", "list", "--server", server.Server.ApiUrl.ToString(), "--api-key", server.Server.AdminKey);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"otter: the TLS certificate of {server.Server.ApiUrl} is not trusted: ", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("; give the fleet CA with --server-ca FILE or OTTER_SERVER_CA (the server's pki/ca.pem)\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NothingListening_Exit1NamingTheUrl()
    {
        var url = $"https://127.0.0.1:{UnusedPort()}/";

        var result = await new OtterRunner().RunAsync("device", "list", "--server", url, "--api-key", SomeKey, "--server-ca", server.CaFile);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"otter: cannot reach the server at {url}: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("refused", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Run_NotTheManagementApi_Exit1SaysStatusWithoutGuessing()
    {
        // A base URL that is not the API: a bare 404 without a problem document.
        var url = server.Server.ApiUrl + "nothing-here/";

        var result = await new OtterRunner().RunAsync("release", "list", "--server", url, "--api-key", server.Server.AdminKey, "--server-ca", server.CaFile);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"otter: the server answered 404 Not Found to GET {url}api/v1/releases, without saying why; is this the management API URL?\n", result.Error);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
