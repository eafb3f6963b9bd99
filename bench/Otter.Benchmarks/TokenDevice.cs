namespace Otter.Benchmarks;

/// <summary>A simulated device of the end-to-end rollout: its id, its token secret (from its row), and what it runs.</summary>
internal sealed class TokenDevice(string id, byte[] secret, string running)
{
    public string Id { get; } = id;

    public byte[] Secret { get; } = secret;

    /// <summary>The target in its booted slot, as it reports it at check-in.</summary>
    public string Running { get; set; } = running;

    /// <summary>Updates the server offered it (each one installed and committed).</summary>
    public int Updates { get; set; }
}
