using Otter.Cli.Cli;

return await OtterCli.RunAsync(args, CliEnvironment.FromConsole());
