using Otter.Agent.Cli;

return await AgentCli.RunAsync(args, AgentCliEnvironment.FromConsole());
