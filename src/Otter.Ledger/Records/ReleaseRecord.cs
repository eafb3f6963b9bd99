using System.Text.Json;
using System.Text.Json.Serialization;
using Otter.Ledger.Log;
using Otter.Trust.Json;

namespace Otter.Ledger.Records;

/// <summary>
/// The entry Otter logs for every release: what a device will install, identified by hash.
/// Logged as canonical JSON, so anyone can rebuild the entry from the release's metadata and
/// find it by its leaf hash.
/// </summary>
public sealed record ReleaseRecord
{
    /// <summary>The record type and version.</summary>
    public const string RecordType = "otter.release/v1";

    /// <summary>Always <see cref="RecordType"/>.</summary>
    [JsonPropertyName("type")]
    public string Type { get; set; } = RecordType;

    /// <summary>The target name in the TUF repository.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The display version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>Lower-case hex SHA-256 of the artifact.</summary>
    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }

    /// <summary>The artifact's length in bytes.</summary>
    [JsonPropertyName("length")]
    public required long Length { get; init; }

    /// <summary>The anti-rollback security counter.</summary>
    [JsonPropertyName("security_counter")]
    public required long SecurityCounter { get; init; }

    /// <summary>The hardware id the artifact is for.</summary>
    [JsonPropertyName("hardware")]
    public required string Hardware { get; init; }

    /// <summary>What it is: <c>firmware</c>, <c>bundle</c>, <c>model</c>, ...</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    /// <summary>The canonical JSON bytes logged for this record.</summary>
    public byte[] ToEntry()
    {
        var element = JsonSerializer.SerializeToElement(this, LedgerJsonContext.Default.ReleaseRecord);
        return CanonicalJson.Serialize(element);
    }

    /// <summary>Reads a logged release record.</summary>
    /// <exception cref="LedgerException">The entry is not a release record.</exception>
    public static ReleaseRecord Parse(ReadOnlySpan<byte> entry)
    {
        try
        {
            var record = JsonSerializer.Deserialize(entry, LedgerJsonContext.Default.ReleaseRecord);
            if (record is null || record.Type != RecordType)
            {
                throw new LedgerException($"the entry is not an {RecordType} record.");
            }

            return record;
        }
        catch (JsonException ex)
        {
            throw new LedgerException($"the entry is not a valid {RecordType} record: {ex.Message}", ex);
        }
    }
}
