using Otter.Cli.Cli;
using Otter.Trust.Keys;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>Runs the operator's <c>otter</c> command in-process with captured output and a fixed passphrase.</summary>
internal static class OtterRunner
{
    public const string Passphrase = TestKeys.Passphrase;

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(output, error, new FixedPassphraseSource(Passphrase), TimeProvider.System);
        var exit = await OtterCli.RunAsync(args, environment);
        return new CliResult(exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>otter</c> and fails the test unless it exits 0.</summary>
    public static async Task<CliResult> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"otter {string.Join(' ', args)}: {result}");
        return result;
    }
}
