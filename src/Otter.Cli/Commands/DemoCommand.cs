using System.CommandLine;
using Otter.Cli.Cli;
using Otter.Cli.Demo;

namespace Otter.Cli.Commands;

/// <summary><c>otter demo</c>: the whole platform in one run (see <see cref="DemoRunner"/>).</summary>
internal static class DemoCommand
{
    /// <summary>The most devices the demo simulates (a bench, not a demo, beyond that).</summary>
    public const int MaxDevices = 1000;

    public static Command Create(CliEnvironment environment)
    {
        var devices = new Option<int>("--devices") { Description = $"Simulated devices (4 to {MaxDevices}).", DefaultValueFactory = _ => 50 };
        var port = new Option<int>("--port") { Description = "Management API port; the device API takes the next one. Free ports when absent." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout (progress goes to stderr)." };
        var command = new Command("demo", "Run the whole of Otter on this machine: an embedded server, a simulated fleet of real agents, phased rollouts, a faulty release that halts itself, a verified log proof. Removes everything at the end.")
        {
            devices, port, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(devices);
            if (count is < 4 or > MaxDevices)
            {
                throw new UsageException($"--devices {count}: the demo simulates 4 to {MaxDevices} devices (a canary wave and the rest); for more, use the bench (bench/Otter.Benchmarks fleet-rollout).");
            }

            var chosen = parse.GetValue(port);
            if (chosen != 0 && chosen is < 1024 or > 65534)
            {
                throw new UsageException($"--port {chosen}: give a port from 1024 to 65534 (the device API takes the next one), or leave --port out to use free ports.");
            }

            return await new DemoRunner(new DemoOptions { Devices = count, Port = chosen, Json = parse.GetValue(json) }, environment).RunAsync(cancellationToken);
        });
        return command;
    }
}
