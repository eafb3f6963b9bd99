namespace Otter.Cli.Demo;

/// <summary>The faults the simulator injected into the demo fleet, and what they did.</summary>
internal sealed record DemoFaultSummary
{
    public int FlakyDevices { get; set; }

    public long ConnectionResets { get; set; }

    public int SlowDevices { get; set; }

    public int SkewedClocks { get; set; }

    public int PowerCutDevices { get; set; }

    public int PowerCuts { get; set; }

    public int Bricked { get; set; }
}
