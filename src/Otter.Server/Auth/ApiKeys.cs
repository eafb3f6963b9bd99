using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Otter.Server.Data;

namespace Otter.Server.Auth;

/// <summary>API keys: <c>otter_{id}_{secret}</c>; the database keeps the id, the role and SHA-256 of the secret.</summary>
internal static class ApiKeys
{
    private const string Prefix = "otter_";

    /// <summary>Makes a key; the returned text is shown once and never stored.</summary>
    public static (ApiKeyRow Row, string Key) Create(string name, string role, DateTimeOffset now)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var row = new ApiKeyRow { Id = id, Name = name, Role = role, SecretSha256 = SHA256.HashData(Encoding.ASCII.GetBytes(secret)), CreatedAt = now };
        return (row, $"{Prefix}{id}_{secret}");
    }

    /// <summary>The caller for an <c>Authorization: Bearer …</c> header, or why not.</summary>
    public static async Task<(ApiCaller? Caller, string? Problem)> AuthenticateAsync(OtterDbContext db, string? authorization, CancellationToken cancellationToken)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "send an API key as `Authorization: Bearer otter_…` (create one with `otter server init` or POST /api/v1/api-keys).");
        }

        var key = authorization["Bearer ".Length..].Trim();
        var parts = key.StartsWith(Prefix, StringComparison.Ordinal) ? key[Prefix.Length..].Split('_', 2) : [];
        if (parts.Length != 2 || parts[0].Length != 12)
        {
            return (null, "the API key is malformed; keys look like otter_<12 hex>_<secret>.");
        }

        var row = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == parts[0], cancellationToken);
        var presented = SHA256.HashData(Encoding.ASCII.GetBytes(parts[1]));
        // Compare even for an unknown id, so timing does not tell which ids exist.
        var stored = row?.SecretSha256 ?? new byte[32];
        if (!CryptographicOperations.FixedTimeEquals(presented, stored) || row is null)
        {
            return (null, "the API key is not valid; check OTTER_API_KEY or --api-key.");
        }

        if (row.RevokedAt is not null)
        {
            return (null, $"the API key {row.Name} was revoked; ask an admin for a new one.");
        }

        return (new ApiCaller(row.Id, row.Name, row.Role), null);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
