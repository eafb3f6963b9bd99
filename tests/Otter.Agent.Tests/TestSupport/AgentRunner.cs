using Otter.Agent.Cli;
using Otter.Trust.Keys;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>Runs <c>otter-agent</c> in-process (the same code as the executable) with captured output.</summary>
internal static class AgentRunner
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(2) };

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new AgentCliEnvironment(output, error, new FixedPassphraseSource(OtterRunner.Passphrase), TimeProvider.System, Http);
        var exit = await AgentCli.RunAsync(args, environment);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
