using Otter.Cli.Cli;
using Otter.Trust.Keys;

namespace Otter.Cli.Tests.TestSupport;

/// <summary>Runs the otter command in-process with captured output, a fixed passphrase and a manual clock.</summary>
internal sealed class OtterRunner(TimeProvider time)
{
    public const string Passphrase = TestKeys.Passphrase;

    public OtterRunner()
        : this(new ManualTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(output, error, new FixedPassphraseSource(Passphrase), time);
        var exit = await OtterCli.RunAsync(args, environment);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
