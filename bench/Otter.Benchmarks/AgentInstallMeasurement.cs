namespace Otter.Benchmarks;

/// <summary>One thing the harness times in every round, and its times (seconds) in round order.</summary>
internal sealed record AgentInstallMeasurement(string Name, string Description)
{
    public List<double> Seconds { get; } = [];

    public double Mean => Seconds.Average();
}
