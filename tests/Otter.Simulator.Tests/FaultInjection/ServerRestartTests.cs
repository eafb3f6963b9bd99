using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Otter.Protocol.Rollouts;
using Otter.Simulator.Tests.Support;

namespace Otter.Simulator.Tests.FaultInjection;

/// <summary>The server process is killed (SIGKILL) in the middle of a phased rollout and started again on the same data.</summary>
public sealed class ServerRestartTests
{
    private const int Devices = 20;

    [Fact]
    public async Task Rollout_ServerKilledAndRestartedMidRollout_CompletesAndNoDeviceUpdatedTwice()
    {
        // A data directory made as `otter server init` makes it; the in-process server only initialises it.
        await using var fixture = await ServerFixture.StartAsync();
        await fixture.StopAsync();
        SimulatedWorld.Tune(fixture.DataDirectory);
        var apiPort = ServerProcess.FreePort();
        var devicePort = ServerProcess.FreePort();
        var server = await ServerProcess.StartAsync(fixture.DataDirectory, apiPort, devicePort);
        try
        {
            using var api = Api(fixture, apiPort);
            using var bootKey = TestKeys.OpenSigner(TestKeys.Create(Path.Combine(fixture.WorkDirectory, "keys"), "boot"));
            var trust = FleetTrust.FromServerData(fixture.DataDirectory, bootKey.PublicKey.KeyValue.Public);
            using var fleet = FleetSimulator.Create(trust, new FleetSimulatorOptions { Server = new Uri($"https://127.0.0.1:{devicePort}/") });
            for (var i = 0; i < Devices; i++)
            {
                fleet.Add($"rs-{i:D3}", i % 4 == 1 ? DeviceBehavior.SlowLink : DeviceBehavior.Healthy);
            }

            var v1 = await SimulatedWorld.PublishAsync(api, fixture.WorkDirectory, bootKey, "1.0.0", 1);
            var v2 = await SimulatedWorld.PublishAsync(api, fixture.WorkDirectory, bootKey, "2.0.0", 2);
            await fleet.RunCycleAsync();
            Assert.Equal(0, fleet.Devices.Sum(d => d.FailedCycles));
            fleet.Start(TimeSpan.FromMilliseconds(100));
            var first = await SimulatedWorld.StartRolloutAsync(api, new RolloutRequest { Release = v1.Name, Waves = ["100"], Soak = "0s", SuccessPercent = 100 });
            Assert.Equal("completed", (await WaitAsync(api, first.Id, v => v.Status != "running", TimeSpan.FromSeconds(60))).Status);

            var rollout = await SimulatedWorld.StartRolloutAsync(api, new RolloutRequest { Release = v2.Name, Waves = ["10", "50", "100"], Soak = "1s", SuccessPercent = 100 });

            // Killed once the first wave is done and the second is under way.
            var before = await WaitAsync(api, rollout.Id, v => v.Waves.Sum(w => w.Committed) >= 3 || v.Status != "running", TimeSpan.FromSeconds(60));
            Assert.Equal("running", before.Status);
            server.Kill();
            await Task.Delay(TimeSpan.FromSeconds(2));
            var committedAtKill = fleet.Devices.Count(d => d.RunningVersion == "2.0.0");
            Assert.True(committedAtKill < Devices, "the rollout finished before the server was killed; nothing was tested");
            server.Dispose();
            server = await ServerProcess.StartAsync(fixture.DataDirectory, apiPort, devicePort);

            var after = await WaitAsync(api, rollout.Id, v => v.Status != "running", TimeSpan.FromSeconds(90));
            await fleet.StopAsync();
            Assert.True(after.Status == "completed", $"{after.Status} {after.HaltReason}: {string.Join(" | ", after.Waves.Select(w => $"{w.Committed}/{w.Total}"))}");
            Assert.Equal(Devices, after.Waves.Sum(w => w.Committed));
            foreach (var device in fleet.Devices)
            {
                Assert.Equal("2.0.0", device.RunningVersion);
                Assert.True(device.Installs.GetValueOrDefault(v2.Name) == 1, $"{device.Id} installed {v2.Name} {device.Installs.GetValueOrDefault(v2.Name)} times: {string.Join(" / ", device.Log)}");
                Assert.Equal(1, device.Installs.GetValueOrDefault(v1.Name));
            }
        }
        finally
        {
            server.Dispose();
        }
    }

    private static async Task<RolloutView> WaitAsync(HttpClient api, long id, Func<RolloutView, bool> done, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            RolloutView? view = null;
            try
            {
                view = await SimulatedWorld.StatusAsync(api, id);
            }
            catch (HttpRequestException)
            {
                // The server is starting again.
            }

            if (view is not null && (done(view) || DateTime.UtcNow > deadline))
            {
                return view;
            }

            Assert.True(DateTime.UtcNow <= deadline, $"rollout {id} did not get there within {limit.TotalSeconds} s");
            await Task.Delay(200);
        }
    }

    private static HttpClient Api(ServerFixture fixture, int port)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { fixture.CaCertificate }, RevocationMode = X509RevocationMode.NoCheck },
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.AdminKey);
        return client;
    }
}
