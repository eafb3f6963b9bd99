using Otter.Trust.Keys;

namespace Otter.Cli.Cli;

/// <summary>What a command reads and writes besides its arguments, so tests can run commands in-process.</summary>
internal sealed record CliEnvironment(TextWriter Output, TextWriter Error, IPassphraseSource Passphrases, TimeProvider Time)
{
    /// <summary>Reads an environment variable (OTTER_SERVER, OTTER_API_KEY, …); tests pass their own instead of changing the process's.</summary>
    public Func<string, string?> Variables { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Whether stderr is a terminal, so progress lines never end up in logs or captured output.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Whether stdout is a terminal, so live views redraw in place there and print plain lines into pipes and files.</summary>
    public bool OutputIsTerminal { get; init; }

    public static CliEnvironment FromConsole() =>
        new(Console.Out, Console.Error, new ConsolePassphraseSource(Console.Error), TimeProvider.System)
        {
            ErrorIsTerminal = !Console.IsErrorRedirected,
            OutputIsTerminal = !Console.IsOutputRedirected,
        };
}
