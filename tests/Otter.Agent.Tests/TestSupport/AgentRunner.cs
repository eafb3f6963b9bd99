using Otter.Agent.Cli;
using Otter.Trust.Keys;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>Runs <c>otter-agent</c> in-process (the same code as the executable) with captured output.</summary>
internal static class AgentRunner
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(2) };

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, CancellationToken.None);

    /// <summary>Runs with the agent's clock set to <paramref name="time"/>.</summary>
    public static Task<CliResult> RunAsync(TimeProvider time, params string[] args) => RunAsync(args, CancellationToken.None, time);

    /// <summary>Runs until the command ends or <paramref name="cancellationToken"/> stops it (as Ctrl-C would).</summary>
    public static async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new AgentCliEnvironment(output, error, new FixedPassphraseSource(OtterRunner.Passphrase), time ?? TimeProvider.System, Http);
        var exit = await AgentCli.RunAsync(args, environment, cancellationToken);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
