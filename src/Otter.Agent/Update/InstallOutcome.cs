namespace Otter.Agent.Update;

/// <summary>A release staged into the inactive slot, waiting for its trial boot.</summary>
public sealed record InstallOutcome(string Slot, string Target, string Version, long SecurityCounter, long LogIndex, long LogSize);
