namespace Otter.Protocol.Device;

/// <summary>One slot as the device sees it.</summary>
public sealed record SlotReport
{
    /// <summary><c>empty</c>, <c>staged</c>, <c>trial</c>, <c>good</c> or <c>bad</c>.</summary>
    public required string State { get; init; }

    /// <summary>The installed version, if any.</summary>
    public string? Version { get; init; }

    /// <summary>The slot's security counter.</summary>
    public long SecurityCounter { get; init; }

    /// <summary>The TUF target the slot was installed from.</summary>
    public string? Target { get; init; }
}
