namespace Otter.Cli.Demo;

/// <summary>The log inclusion proof the demo verified as a device does.</summary>
internal sealed record DemoProofSummary
{
    public string Release { get; set; } = string.Empty;

    public bool Verified { get; set; }

    public string Origin { get; set; } = string.Empty;

    public long Index { get; set; }

    public long TreeSize { get; set; }

    public string RootHash { get; set; } = string.Empty;

    public string LeafHash { get; set; } = string.Empty;

    public int ProofHashes { get; set; }
}
