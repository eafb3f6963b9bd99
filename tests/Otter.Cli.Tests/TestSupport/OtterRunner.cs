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

    /// <summary>Pretend stdout is a terminal (live views redraw in place only there).</summary>
    public bool OutputIsTerminal { get; init; }

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, CancellationToken.None);

    /// <summary>Runs otter; cancelling <paramref name="cancellationToken"/> is what Ctrl-C does.</summary>
    public async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(output, error, new FixedPassphraseSource(Passphrase), time)
        {
            Variables = name => Variables.GetValueOrDefault(name),
            ErrorIsTerminal = ErrorIsTerminal,
            OutputIsTerminal = OutputIsTerminal,
        };
        var exit = await OtterCli.RunAsync(args, environment, cancellationToken);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
