using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf.Repository;

/// <summary>When an online signing key was first used for a role and when it must stop being used.</summary>
public sealed record OnlineKeyRecord
{
    /// <summary>The TUF key id.</summary>
    [JsonPropertyName("key_id")]
    public required string KeyId { get; init; }

    /// <summary>The role the key signs: targets, snapshot or timestamp.</summary>
    [JsonPropertyName("role")]
    public required string Role { get; init; }

    /// <summary>First signature made with the key for this role.</summary>
    [JsonPropertyName("first_used")]
    public required DateTimeOffset FirstUsed { get; init; }

    /// <summary>After this instant Otter refuses to sign with the key; rotate it before.</summary>
    [JsonPropertyName("not_after")]
    public required DateTimeOffset NotAfter { get; init; }

    /// <summary>When the key was rotated out, or null while it is current.</summary>
    [JsonPropertyName("retired")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Retired { get; init; }
}
