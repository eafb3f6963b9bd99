namespace Otter.Cli.Demo;

/// <summary>One rollout of the demo.</summary>
internal sealed record DemoRolloutSummary
{
    public long Id { get; set; }

    public string Release { get; set; } = string.Empty;

    public string Version { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public string? HaltReason { get; set; }

    public int Committed { get; set; }

    public int Failed { get; set; }

    public int Total { get; set; }

    public List<string> Waves { get; set; } = [];

    public double Seconds { get; set; }
}
