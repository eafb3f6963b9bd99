namespace Otter.Cli.Demo;

/// <summary><c>otter demo --json</c>: what happened, for scripts.</summary>
internal sealed record DemoSummary
{
    /// <summary>Every check passed (the exit code is 0).</summary>
    public bool Passed { get; set; }

    public int Devices { get; set; }

    public int Enrolled { get; set; }

    public double WallSeconds { get; set; }

    public List<DemoRolloutSummary> Rollouts { get; set; } = [];

    /// <summary>Alerts received with a verified webhook signature.</summary>
    public List<string> Alerts { get; set; } = [];

    public DemoProofSummary? Proof { get; set; }

    public DemoFaultSummary Faults { get; set; } = new();

    /// <summary>Checks that failed, in words (empty when passed).</summary>
    public List<string> Failures { get; set; } = [];
}
