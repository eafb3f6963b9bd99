namespace Otter.Trust.Tuf.Client;

/// <summary>
/// Keeps trusted metadata as <c>&lt;role&gt;.json</c> files in one directory. Each write goes
/// to a temporary file in the same directory, is flushed to disk, then renamed over the old
/// file, so after a crash a role holds either its old or its new bytes, never a mix.
/// </summary>
public sealed class DirectoryTrustedMetadataStore : ITrustedMetadataStore
{
    /// <summary>Creates a store over <paramref name="directory"/>; it is created on the first write.</summary>
    public DirectoryTrustedMetadataStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        DirectoryPath = Path.GetFullPath(directory);
    }

    /// <summary>The full path of the directory.</summary>
    public string DirectoryPath { get; }

    /// <inheritdoc />
    /// <exception cref="TufException">The role name is not a plain file name, or the file cannot be read.</exception>
    public async ValueTask<byte[]?> ReadAsync(string role, CancellationToken cancellationToken)
    {
        var path = PathFor(role);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TufException($"cannot read trusted {role} metadata from {path}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    /// <exception cref="TufException">The role name is not a plain file name, or the file cannot be written (the old bytes are then kept).</exception>
    public async ValueTask WriteAsync(string role, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var path = PathFor(role);
        try
        {
            await IO.DurableFiles.WriteAtomicAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TufException($"cannot write trusted {role} metadata to {path}: {ex.Message}; the previously stored {role} metadata is unchanged.", ex);
        }
    }

    /// <inheritdoc />
    /// <exception cref="TufException">The role name is not a plain file name, or the file cannot be deleted.</exception>
    public ValueTask DeleteAsync(string role, CancellationToken cancellationToken)
    {
        var path = PathFor(role);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing stored yet.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TufException($"cannot delete trusted {role} metadata {path}: {ex.Message}", ex);
        }

        return ValueTask.CompletedTask;
    }

    private string PathFor(string role)
    {
        ArgumentNullException.ThrowIfNull(role);
        if (role.Length == 0
            || role == "."
            || role.Contains("..", StringComparison.Ordinal)
            || role.AsSpan().IndexOfAny('/', '\\', ':') >= 0
            || role.Any(char.IsControl))
        {
            throw new TufException(
                $"the role name \"{role}\" cannot be stored in {DirectoryPath}: role names must be plain file names, without path separators, \"..\" or control characters.");
        }

        return Path.Combine(DirectoryPath, role + ".json");
    }
}
