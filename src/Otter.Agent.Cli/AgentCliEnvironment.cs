using Otter.Trust.Keys;

namespace Otter.Agent.Cli;

/// <summary>What an agent command reads and writes besides its arguments, so tests can run it in-process.</summary>
internal sealed record AgentCliEnvironment(TextWriter Output, TextWriter Error, IPassphraseSource Passphrases, TimeProvider Time, HttpClient Http)
{
    public static AgentCliEnvironment FromConsole() =>
        new(Console.Out, Console.Error, new EnvironmentPassphraseSource(), TimeProvider.System, new HttpClient { Timeout = TimeSpan.FromMinutes(10) });
}
