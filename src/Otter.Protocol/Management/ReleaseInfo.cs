namespace Otter.Protocol.Management;

/// <summary>A published release.</summary>
public sealed record ReleaseInfo
{
    /// <summary>The release name, which is also its TUF target name.</summary>
    public required string Name { get; init; }

    /// <summary>The version from the signed boot manifest.</summary>
    public required string Version { get; init; }

    /// <summary>The hardware it is built for.</summary>
    public required string Hardware { get; init; }

    /// <summary>Its anti-rollback security counter.</summary>
    public long SecurityCounter { get; init; }

    /// <summary>SHA-256 of the bundle, hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Bundle length in bytes.</summary>
    public long Length { get; init; }

    /// <summary>The release record's index in the transparency log.</summary>
    public long LogIndex { get; init; }

    /// <summary>The measurement a device reports after booting it (hex).</summary>
    public required string ExpectedMeasurement { get; init; }

    /// <summary>When it was published.</summary>
    public DateTimeOffset PublishedAt { get; init; }

    /// <summary>The API key name that published it.</summary>
    public string? PublishedBy { get; init; }
}
