using Otter.Benchmarks;

// The agent install harness is a load test with its own modes; everything else is BenchmarkDotNet.
return args switch
{
    [AgentInstallHarness.Command, .. var rest] => await AgentInstallHarness.RunAsync(rest),
    [AgentInstallChild.Command, .. var rest] => await AgentInstallChild.RunAsync(rest),
    _ => BenchmarkDotNetEntry.Run(args),
};
