namespace Otter.Agent.Tests.TestSupport;

/// <summary>What a command run in-process returned and printed.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}
