namespace Otter.Cli.Tests.TestSupport;

internal sealed record CliResult(int ExitCode, string Output, string Error);
