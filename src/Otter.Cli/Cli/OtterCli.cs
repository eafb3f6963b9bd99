using System.CommandLine;
using Otter.Cli.Commands;

namespace Otter.Cli.Cli;

/// <summary>The <c>otter</c> command: parses, runs, and maps every outcome to an exit code.</summary>
internal static class OtterCli
{
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("Otter: signed, logged, phased firmware updates for device fleets.")
        {
            KeysCommand.Create(environment),
            RepoCommand.Create(environment),
            LogCommand.Create(environment),
            BundleCommand.Create(environment),
            ServerCommand.Create(environment),
            ReleaseCommand.Create(environment),
            DeviceCommand.Create(environment),
            AuditCommand.Create(environment),
            ApiKeyCommand.Create(environment),
            RolloutCommand.Create(environment),
            ReportCommand.Create(environment),
            AlertCommand.Create(environment),
            IncidentCommand.Create(environment),
            DemoCommand.Create(environment),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await environment.Error.WriteLineAsync($"otter: {error.Message}");
            }

            await environment.Error.WriteLineAsync($"Run `otter {string.Join(' ', CommandPath(parse))} --help` for usage.");
            return ExitCodes.BadInput;
        }

        try
        {
            var configuration = new InvocationConfiguration
            {
                Output = environment.Output,
                Error = environment.Error,
                EnableDefaultExceptionHandler = false,
            };
            return await parse.InvokeAsync(configuration, cancellationToken);
        }
        catch (Exception ex)
        {
            return CliErrors.Report(ex, environment.Error);
        }
    }

    private static Stack<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result.Parent is not null; result = (System.CommandLine.Parsing.CommandResult)result.Parent)
        {
            names.Push(result.Command.Name);
        }

        return names;
    }
}
