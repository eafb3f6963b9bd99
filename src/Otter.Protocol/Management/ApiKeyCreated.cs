namespace Otter.Protocol.Management;

/// <summary>A new API key; <see cref="Key"/> is shown this once and only its hash is kept.</summary>
public sealed record ApiKeyCreated
{
    /// <summary>The key's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its role.</summary>
    public required string Role { get; init; }

    /// <summary>The secret to send as <c>Authorization: Bearer …</c>.</summary>
    public required string Key { get; init; }
}
