namespace Otter.Protocol.Device;

/// <summary>An assigned update. The device trusts none of it: the target is verified through TUF and the log.</summary>
public sealed record UpdateAction
{
    /// <summary>The TUF target name.</summary>
    public required string Target { get; init; }

    /// <summary>The release version.</summary>
    public required string Version { get; init; }

    /// <summary>The TUF repository base URL.</summary>
    public required string RepositoryUrl { get; init; }

    /// <summary>The transparency log base URL.</summary>
    public required string LogUrl { get; init; }
}
