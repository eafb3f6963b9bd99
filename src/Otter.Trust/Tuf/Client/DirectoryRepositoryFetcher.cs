namespace Otter.Trust.Tuf.Client;

/// <summary>
/// Reads a TUF repository laid out on disk: metadata from <c>DIR/metadata/&lt;file&gt;</c>,
/// targets from <c>DIR/targets/&lt;path&gt;</c>. Names that are rooted or could leave those
/// directories are refused.
/// </summary>
public sealed class DirectoryRepositoryFetcher : IRepositoryFetcher
{
    private const int BufferSize = 81920;
    private readonly string _metadataDirectory;
    private readonly string _targetsDirectory;

    /// <summary>Creates a fetcher over the repository in <paramref name="repositoryDirectory"/>.</summary>
    public DirectoryRepositoryFetcher(string repositoryDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(repositoryDirectory);
        var root = Path.GetFullPath(repositoryDirectory);
        _metadataDirectory = Path.Combine(root, "metadata");
        _targetsDirectory = Path.Combine(root, "targets");
    }

    /// <inheritdoc />
    /// <exception cref="TufException">The name is rooted or escapes the metadata directory.</exception>
    public Task<Stream> OpenMetadataAsync(string fileName, CancellationToken cancellationToken) =>
        OpenAsync(_metadataDirectory, fileName, "metadata file", cancellationToken);

    /// <inheritdoc />
    /// <exception cref="TufException">The path is rooted or escapes the targets directory.</exception>
    public Task<Stream> OpenTargetAsync(string path, CancellationToken cancellationToken) =>
        OpenAsync(_targetsDirectory, path, "target", cancellationToken);

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="baseDirectory"/>, refusing anything that could leave it.</summary>
    internal static string Resolve(string baseDirectory, string relative, string what)
    {
        ArgumentNullException.ThrowIfNull(relative);
        if (relative.Length == 0
            || relative.Contains('\\', StringComparison.Ordinal)
            || relative.Any(char.IsControl)
            || relative[0] == '/'
            || Path.IsPathRooted(relative)
            || relative.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new TufException(
                $"the {what} name \"{relative}\" was refused: repository paths must be relative, use '/' between non-empty segments and contain no \".\" or \"..\" segments or backslashes.");
        }

        var full = Path.GetFullPath(Path.Combine(baseDirectory, relative));
        if (!full.StartsWith(baseDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new TufException($"the {what} name \"{relative}\" was refused: it resolves outside {baseDirectory}.");
        }

        return full;
    }

    private static Task<Stream> OpenAsync(string baseDirectory, string relative, string what, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var full = Resolve(baseDirectory, relative, what);
        try
        {
            Stream stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RepositoryNotFoundException($"the repository has no {what} {relative} ({full} does not exist).", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TufException($"cannot read {what} {relative} from {full}: {ex.Message}", ex);
        }
    }
}
