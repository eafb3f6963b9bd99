using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Otter.Cli.Tests.TestSupport;

namespace Otter.Cli.Tests.Commands;

/// <summary><c>otter server init|run|trust-manufacturer</c> as a user runs them.</summary>
public sealed partial class ServerCommandTests
{
    private readonly OtterRunner _otter = new(TimeProvider.System);

    [Fact]
    public async Task Init_NewDirectory_WritesLayoutAndPrintsAdminKeyOnce()
    {
        using var temp = new TempDirectory();
        var root = TestKeys.Create(temp.Combine("keys"), "root");
        var data = temp.Combine("srv");

        var result = await _otter.RunAsync("server", "init", "--data", data, "--root-key", root, "--hostname", "fleet.example.com");

        Assert.Equal(0, result.ExitCode);
        var key = Assert.Single(AdminKeyLine().Matches(result.Output)).Groups[1].Value;
        Assert.DoesNotContain(key, string.Concat(Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".db", StringComparison.Ordinal)).Select(File.ReadAllText)), StringComparison.Ordinal);
        foreach (var file in new[] { "server.json", "otter.db", "pki/ca.pem", "pki/server.pem", "repo/metadata/1.root.json", "log/checkpoint", "dev-factory/ca.pem", "dev-factory/ca.key", "device-trust/root.json", "device-trust/log.pub", "device-trust/log-origin", "device-trust/ca.pem" })
        {
            Assert.True(File.Exists(Path.Combine(data, file)), file + " is missing");
        }

        Assert.Equal("fleet.example.com/otter-log\n", await File.ReadAllTextAsync(Path.Combine(data, "device-trust", "log-origin")));
        Assert.DoesNotContain(Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories), f => Path.GetFileName(f) == "root.key");
        using var dev = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(data, "dev-factory", "ca.pem")));
        Assert.Contains("NOT FOR PRODUCTION", dev.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_NonEmptyDirectory_RefusedAndUntouched()
    {
        using var temp = new TempDirectory();
        var root = TestKeys.Create(temp.Combine("keys"), "root");
        var data = Directory.CreateDirectory(temp.Combine("srv")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "notes.txt"), "mine");
        var before = DirectorySnapshot.Take(data);

        var result = await _otter.RunAsync("server", "init", "--data", data, "--root-key", root);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not empty", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(data));
    }

    [Fact]
    public async Task Init_MissingRootKey_RefusedAndNothingCreated()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("srv");

        var result = await _otter.RunAsync("server", "init", "--data", data, "--root-key", temp.Combine("nope.key"));

        Assert.Equal(2, result.ExitCode);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public async Task TrustManufacturer_CaCertificate_Stored()
    {
        using var temp = new TempDirectory();
        var data = await InitAsync(temp);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Acme Devices Factory CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(10));
        var pem = temp.Combine("acme.pem");
        await File.WriteAllTextAsync(pem, ca.ExportCertificatePem());

        var result = await _otter.RunAsync("server", "trust-manufacturer", "--data", data, pem);

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(data, "manufacturers", ca.Thumbprint.ToLowerInvariant() + ".pem")));
    }

    [Fact]
    public async Task TrustManufacturer_LeafCertificate_Refused()
    {
        using var temp = new TempDirectory();
        var data = await InitAsync(temp);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = new CertificateRequest("CN=device", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(1));
        var pem = temp.Combine("leaf.pem");
        await File.WriteAllTextAsync(pem, leaf.ExportCertificatePem());
        var before = DirectorySnapshot.Take(data);

        var result = await _otter.RunAsync("server", "trust-manufacturer", "--data", data, pem);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a CA certificate", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, DirectorySnapshot.Take(data));
    }

    [Fact]
    public async Task Run_PortTaken_ClearMessage()
    {
        using var temp = new TempDirectory();
        var data = await InitAsync(temp);
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var result = await _otter.RunAsync("server", "run", "--data", data, "--api-url", $"https://127.0.0.1:{port}", "--device-url", "https://127.0.0.1:0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("another program holds the port", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NotADataDirectory_SaysHowToCreateOne()
    {
        using var temp = new TempDirectory();

        var result = await _otter.RunAsync("server", "run", "--data", temp.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("otter server init", result.Error, StringComparison.Ordinal);
    }

    private async Task<string> InitAsync(TempDirectory temp)
    {
        var root = TestKeys.Create(temp.Combine("keys"), "root");
        var data = temp.Combine("srv");
        var result = await _otter.RunAsync("server", "init", "--data", data, "--root-key", root);
        Assert.Equal(0, result.ExitCode);
        return data;
    }

    [GeneratedRegex(@"^admin-api-key: (otter_[0-9a-f]{12}_\S+)$", RegexOptions.Multiline)]
    private static partial Regex AdminKeyLine();
}
