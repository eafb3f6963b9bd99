namespace Otter.Protocol.Incidents;

/// <summary>One item of a <see cref="ForensicBundle"/>.</summary>
public sealed record ForensicItem
{
    /// <summary>A relative name, e.g. <c>bootctl.json</c> or <c>slots/a.sha256</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The content, base64.</summary>
    public required string Content { get; init; }
}
