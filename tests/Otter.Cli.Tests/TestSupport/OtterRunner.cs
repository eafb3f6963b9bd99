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

    /// <summary>
    /// The environment variables otter sees (OTTER_SERVER, …); none by default, so a developer's
    /// own settings never leak into a test.
    /// </summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Pretend stderr is a terminal (progress lines are drawn only there).</summary>
    public bool ErrorIsTerminal { get; init; }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(output, error, new FixedPassphraseSource(Passphrase), time)
        {
            Variables = name => Variables.GetValueOrDefault(name),
            ErrorIsTerminal = ErrorIsTerminal,
        };
        var exit = await OtterCli.RunAsync(args, environment);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
