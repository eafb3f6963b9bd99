using System.Security.Cryptography.X509Certificates;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>
/// A fleet for one test: a <see cref="ReleaseFactory"/> (repository and log with v1 and v2), a
/// fleet CA and a manufacturer CA made in the test, the device-trust and dev-factory folders a
/// server would write, a <see cref="FleetServerStub"/> over TLS serving it all, and a device
/// provisioned from those folders with nothing installed.
/// </summary>
internal sealed class FleetWorld : IAsyncDisposable
{
    private readonly X509Certificate2 _serverCertificate;

    private FleetWorld(ReleaseFactory factory, TestCa fleetCa, TestCa factoryCa, TestCa strangerCa, X509Certificate2 serverCertificate, FleetServerStub server)
    {
        Factory = factory;
        FleetCa = fleetCa;
        FactoryCa = factoryCa;
        StrangerCa = strangerCa;
        _serverCertificate = serverCertificate;
        Server = server;
    }

    public ReleaseFactory Factory { get; }

    public TestCa FleetCa { get; }

    public TestCa FactoryCa { get; }

    /// <summary>A CA the device does not trust.</summary>
    public TestCa StrangerCa { get; }

    public FleetServerStub Server { get; }

    public string Device => Factory.Combine("fleet-device");

    public string TrustDirectory => Factory.Combine("device-trust");

    public string DevFactory => Factory.Combine("dev-factory");

    /// <summary>Starts the fleet; <paramref name="serverCertificate"/> picks the server's TLS certificate (default: from the fleet CA for 127.0.0.1).</summary>
    public static async Task<FleetWorld> StartAsync(Func<TestCa, TestCa, X509Certificate2>? serverCertificate = null, bool provision = true)
    {
        var factory = await ReleaseFactory.CreateAsync();
        var fleetCa = TestCa.Create("Otter Test Fleet CA");
        var factoryCa = TestCa.Create("Otter Test Manufacturer CA");
        var strangerCa = TestCa.Create("Somebody Else's CA");
        var certificate = serverCertificate?.Invoke(fleetCa, strangerCa) ?? fleetCa.IssueServer("127.0.0.1", "localhost");
        var server = await FleetServerStub.StartAsync(fleetCa, certificate, factory.Repo, factory.Log);
        var world = new FleetWorld(factory, fleetCa, factoryCa, strangerCa, certificate, server);
        world.WriteTrustDirectory();
        factoryCa.WriteDevFactory(world.DevFactory);
        if (provision)
        {
            var result = await world.ProvisionAsync(world.Device, "--id", ReleaseFactory.DeviceId, "--trust", world.TrustDirectory, "--factory-ca", world.DevFactory);
            Assert.True(result.ExitCode == 0, result.ToString());
        }

        return world;
    }

    /// <summary><c>otter-agent provision</c> with the factory's boot key and probe, id gw-0001, and <paramref name="extra"/>.</summary>
    public Task<CliResult> ProvisionAsync(string device, params string[] extra) =>
        AgentRunner.RunAsync([
            "provision", "--device", device, "--hardware", ReleaseFactory.Hardware, "--boot-key", Factory.BootPublicKey,
            "--probe-command", ReleaseFactory.ProbeCommand, .. extra]);

    /// <summary><c>otter-agent run --once</c> against the stub.</summary>
    public Task<CliResult> RunOnceAsync(params string[] extra) =>
        AgentRunner.RunAsync(["run", "--device", Device, "--server", Server.BaseUri.AbsoluteUri, "--once", .. extra]);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _serverCertificate.Dispose();
        FleetCa.Dispose();
        FactoryCa.Dispose();
        StrangerCa.Dispose();
        Factory.Dispose();
    }

    private void WriteTrustDirectory()
    {
        Directory.CreateDirectory(TrustDirectory);
        File.Copy(Factory.TrustedRoot, Path.Combine(TrustDirectory, "root.json"));
        File.Copy(Factory.LogPublicKey, Path.Combine(TrustDirectory, "log.pub"));
        File.WriteAllText(Path.Combine(TrustDirectory, "log-origin"), ReleaseFactory.LogOrigin + "\n");
        File.WriteAllText(Path.Combine(TrustDirectory, "ca.pem"), FleetCa.CertificatePem);
    }
}
