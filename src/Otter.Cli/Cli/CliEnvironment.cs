using Otter.Trust.Keys;

namespace Otter.Cli.Cli;

/// <summary>What a command reads and writes besides its arguments, so tests can run commands in-process.</summary>
internal sealed record CliEnvironment(TextWriter Output, TextWriter Error, IPassphraseSource Passphrases, TimeProvider Time)
{
    public static CliEnvironment FromConsole() =>
        new(Console.Out, Console.Error, new ConsolePassphraseSource(Console.Error), TimeProvider.System);
}
