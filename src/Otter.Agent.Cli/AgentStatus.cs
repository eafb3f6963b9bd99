using Otter.Agent.Platform;

namespace Otter.Agent.Cli;

/// <summary>What <c>otter-agent status --json</c> prints.</summary>
internal sealed record AgentStatus(
    string Id,
    string Hardware,
    string? ActiveSlot,
    string? BootedSlot,
    IReadOnlyDictionary<string, SlotStatus> Slots,
    long SecurityCounter,
    AgentResult? LastResult,
    string? Measurement,
    string? PendingTrial);
