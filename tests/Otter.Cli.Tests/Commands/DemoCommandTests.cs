using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Otter.Cli.Tests.TestSupport;

namespace Otter.Cli.Tests.Commands;

/// <summary><c>otter demo</c> end to end: a real embedded server, a simulated fleet of real agents over mutual TLS, real clocks.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_SmallFleet_FaultyReleaseHaltsAndProofVerifies()
    {
        var before = DemoDirectories();
        var result = await new OtterRunner(TimeProvider.System).RunAsync("demo", "--devices", "6", "--json");

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        using var summary = JsonDocument.Parse(result.Output);
        var root = summary.RootElement;
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.Equal(6, root.GetProperty("enrolled").GetInt32());
        var rollouts = root.GetProperty("rollouts").EnumerateArray().ToList();
        Assert.Equal(["completed", "completed", "halted"], rollouts.Select(r => r.GetProperty("status").GetString()));
        Assert.Equal(0, rollouts[2].GetProperty("committed").GetInt32());
        Assert.True(rollouts[2].GetProperty("failed").GetInt32() >= 1);
        Assert.Contains(root.GetProperty("alerts").EnumerateArray(), a => a.GetString()!.StartsWith("rollout.halted", StringComparison.Ordinal));
        var proof = root.GetProperty("proof");
        Assert.True(proof.GetProperty("verified").GetBoolean());
        Assert.Equal("fw/gw-x2/2.0.0.bundle", proof.GetProperty("release").GetString());
        Assert.Equal(0, root.GetProperty("faults").GetProperty("bricked").GetInt32());

        // Progress went to stderr, and nothing is left on disk.
        Assert.Contains("inclusion proof VERIFIED", result.Error, StringComparison.Ordinal);
        Assert.Empty(DemoDirectories().Except(before));
    }

    [Fact]
    public async Task Demo_PortTaken_SaysWhichPortAndExits2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        if (port > 65534)
        {
            return;
        }

        var before = DemoDirectories();
        var result = await new OtterRunner(TimeProvider.System).RunAsync("demo", "--devices", "4", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"--port {port}", result.Error, StringComparison.Ordinal);
        Assert.Contains("taken", result.Error, StringComparison.Ordinal);
        Assert.Empty(DemoDirectories().Except(before));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("100000")]
    public async Task Demo_DevicesOutOfRange_Exits2(string devices)
    {
        var result = await new OtterRunner(TimeProvider.System).RunAsync("demo", "--devices", devices);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--devices", result.Error, StringComparison.Ordinal);
    }

    private static HashSet<string> DemoDirectories() =>
        [.. Directory.EnumerateDirectories(Path.GetTempPath(), "otter-demo-*")];
}
