using System.Text.Json.Serialization;

namespace Otter.Trust.Tuf.Repository;

/// <summary>
/// <c>DIR/otter-repo.json</c>: how long metadata and online keys live. Holds no secrets; it may
/// be served with the rest of the directory.
/// </summary>
public sealed record RepositoryConfig
{
    /// <summary>The file format version.</summary>
    [JsonPropertyName("format")]
    public int Format { get; set; } = 1;

    /// <summary>Days an online key may sign after its first use (default 90).</summary>
    [JsonPropertyName("online_key_lifetime_days")]
    public int OnlineKeyLifetimeDays { get; set; } = 90;

    /// <summary>Days each role's metadata is valid after it is signed.</summary>
    [JsonPropertyName("expiry_days")]
    public IReadOnlyDictionary<string, int> ExpiryDays { get; set; } = DefaultExpiryDays;

    /// <summary>Online keys, current and retired.</summary>
    [JsonPropertyName("online_keys")]
    public IReadOnlyList<OnlineKeyRecord> OnlineKeys { get; set; } = [];

    /// <summary>Root 1 year, targets 90 days, snapshot 7 days, timestamp 1 day.</summary>
    public static IReadOnlyDictionary<string, int> DefaultExpiryDays { get; } = new Dictionary<string, int>
    {
        [TufRoles.Root] = 365,
        [TufRoles.Targets] = 90,
        [TufRoles.Snapshot] = 7,
        [TufRoles.Timestamp] = 1,
    };

    /// <summary>The expiry period of <paramref name="role"/>.</summary>
    public TimeSpan ExpiryOf(string role) =>
        TimeSpan.FromDays(ExpiryDays.TryGetValue(role, out var days) ? days : DefaultExpiryDays[role]);
}
