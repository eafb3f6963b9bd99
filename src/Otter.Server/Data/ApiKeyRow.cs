namespace Otter.Server.Data;

/// <summary>A management API key: only the SHA-256 of its secret is kept.</summary>
internal sealed class ApiKeyRow
{
    /// <summary>The public part of the key (<c>otter_{Id}_{secret}</c>).</summary>
    public required string Id { get; set; }

    public required string Name { get; set; }

    public required string Role { get; set; }

    public required byte[] SecretSha256 { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
