namespace Otter.Cli.Demo;

/// <summary>What <c>otter demo</c> was asked for.</summary>
internal sealed record DemoOptions
{
    /// <summary>Simulated devices (at least 4: a canary wave and the rest).</summary>
    public int Devices { get; init; } = 50;

    /// <summary>The management API port (the device API gets the next one); free ports when 0.</summary>
    public int Port { get; init; }

    /// <summary>Print the summary as JSON on stdout (progress goes to stderr).</summary>
    public bool Json { get; init; }
}
