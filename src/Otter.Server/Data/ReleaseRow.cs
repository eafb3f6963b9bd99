namespace Otter.Server.Data;

/// <summary>A published release (its target is in the TUF repository and its record in the log).</summary>
internal sealed class ReleaseRow
{
    public required string Name { get; set; }

    public required string Version { get; set; }

    public required string Hardware { get; set; }

    public long SecurityCounter { get; set; }

    public required string Sha256 { get; set; }

    public long Length { get; set; }

    public long LogIndex { get; set; }

    public long TargetsVersion { get; set; }

    public required string ExpectedMeasurement { get; set; }

    public DateTimeOffset PublishedAt { get; set; }

    public string? PublishedBy { get; set; }
}
