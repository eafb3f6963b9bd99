using Otter.Benchmarks;

// The load harnesses are tests with their own modes; everything else is BenchmarkDotNet.
return args switch
{
    [AgentInstallHarness.Command, .. var rest] => await AgentInstallHarness.RunAsync(rest),
    [AgentInstallChild.Command, .. var rest] => await AgentInstallChild.RunAsync(rest),
    [CheckInHarness.Command, .. var rest] => await CheckInHarness.RunAsync(rest),
    [DownloadHarness.Command, .. var rest] => await DownloadHarness.RunAsync(rest),
    [IncidentResponseHarness.Command, .. var rest] => await IncidentResponseHarness.RunAsync(rest),
    [KestrelAnchor.Command, .. var rest] => await KestrelAnchor.RunAsync(rest),
    [RolloutEngineHarness.Command, .. var rest] => await RolloutEngineHarness.RunAsync(rest),
    [FleetRolloutHarness.Command, .. var rest] => await FleetRolloutHarness.RunAsync(rest),
    _ => BenchmarkDotNetEntry.Run(args),
};
