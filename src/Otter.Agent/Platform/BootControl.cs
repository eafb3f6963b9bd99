using System.Text.Json.Serialization;

namespace Otter.Agent.Platform;

/// <summary><c>bootctl.json</c>: the boot loader's persistent state, replaced atomically on every change.</summary>
public sealed record BootControl
{
    /// <summary>The two slot names.</summary>
    public static IReadOnlyList<string> SlotNames { get; } = ["a", "b"];

    /// <summary>The committed slot, or null before the first commit.</summary>
    [JsonPropertyName("active")]
    public string? Active { get; init; }

    /// <summary>The slot waiting for a trial boot, if any.</summary>
    [JsonPropertyName("trial")]
    public TrialBoot? Trial { get; init; }

    /// <summary>The anti-rollback counter: raised only after a committed, healthy boot.</summary>
    [JsonPropertyName("security_counter")]
    public long SecurityCounter { get; init; }

    /// <summary>Per-slot state.</summary>
    [JsonPropertyName("slots")]
    public IReadOnlyDictionary<string, SlotInfo> Slots { get; set; } = new Dictionary<string, SlotInfo>
    {
        ["a"] = new(),
        ["b"] = new(),
    };

    /// <summary>The slot that booted last, if any.</summary>
    [JsonPropertyName("booted")]
    public string? Booted { get; init; }

    /// <summary>The measurement register of the last boot (hex).</summary>
    [JsonPropertyName("measurement")]
    public string? Measurement { get; init; }

    /// <summary>The outcome of the last install or boot.</summary>
    [JsonPropertyName("last_result")]
    public AgentResult? LastResult { get; init; }

    /// <summary>The other slot.</summary>
    public static string Other(string slot) => slot == "a" ? "b" : "a";

    /// <summary>A copy with one slot's info replaced.</summary>
    public BootControl WithSlot(string slot, SlotInfo info)
    {
        var slots = new Dictionary<string, SlotInfo>(Slots) { [slot] = info };
        return this with { Slots = slots };
    }
}
