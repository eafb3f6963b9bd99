namespace Otter.Agent.Boot;

/// <summary>What a (simulated) reboot did.</summary>
public sealed record BootOutcome(string Outcome, string? Slot, string? Version, string? Detail, string? Measurement);
