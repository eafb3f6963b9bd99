namespace Otter.Trust.Tuf.Client;

/// <summary>
/// Reaches a TUF repository (a directory, an HTTP server, an in-memory simulator). The
/// client never trusts what comes back: it caps lengths and checks hashes and signatures.
/// </summary>
public interface IRepositoryFetcher
{
    /// <summary>Opens a metadata file such as <c>3.root.json</c> or <c>timestamp.json</c>.</summary>
    /// <exception cref="RepositoryNotFoundException">The repository does not have the file.</exception>
    Task<Stream> OpenMetadataAsync(string fileName, CancellationToken cancellationToken);

    /// <summary>Opens a target by its path in the repository, e.g. <c>fw/&lt;sha256&gt;.image.bin</c>.</summary>
    /// <exception cref="RepositoryNotFoundException">The repository does not have the file.</exception>
    Task<Stream> OpenTargetAsync(string path, CancellationToken cancellationToken);
}
