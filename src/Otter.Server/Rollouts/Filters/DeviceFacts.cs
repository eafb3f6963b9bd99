namespace Otter.Server.Rollouts.Filters;

/// <summary>What a filter can see of a device.</summary>
internal sealed record DeviceFacts(
    string Id,
    string Hardware,
    string Status,
    IReadOnlySet<string> Tags,
    IReadOnlyDictionary<string, string> Attributes,
    string? Version,
    long SecurityCounter);
