namespace Otter.Agent.Cli;

/// <summary>One slot in <c>otter-agent status</c>.</summary>
internal sealed record SlotStatus(string State, string? Version, long SecurityCounter, string? Target);
