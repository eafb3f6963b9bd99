namespace Otter.Trust.Tuf.Repository;

/// <summary>
/// Stages every file of a repository change beside its destination, then moves them into
/// place in an order that keeps the repository consistent for readers (targets, versioned
/// metadata, then <c>root.json</c>, <c>timestamp.json</c> and the config last). On any
/// failure before the end, moved files are put back and staged files deleted, so the
/// directory is left exactly as it was.
/// </summary>
internal sealed class RepositoryTransaction : IDisposable
{
    internal const string TempPrefix = ".otter-tmp-";

    private readonly List<(string Temp, string Destination, int Order)> _staged = [];
    private readonly List<string> _createdDirectories = [];
    private readonly List<string> _temps = [];
    private bool _committed;

    /// <summary>Stages <paramref name="bytes"/> to be written to <paramref name="destination"/>.</summary>
    public void StageBytes(string destination, ReadOnlySpan<byte> bytes, int order)
    {
        var temp = NewTempPath(destination);
        _staged.Add((temp, destination, order));
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Stages an already written temporary file (made with <see cref="NewTempPath"/>).</summary>
    public void StageFile(string temp, string destination, int order) => _staged.Add((temp, destination, order));

    /// <summary>A temporary path beside <paramref name="destination"/>, cleaned up if the change fails.</summary>
    public string NewTempPath(string destination)
    {
        var directory = Path.GetDirectoryName(destination)!;
        var missing = new List<string>();
        for (var d = directory; !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
        {
            missing.Add(d);
        }

        Directory.CreateDirectory(directory);
        _createdDirectories.AddRange(missing);
        var temp = TempBeside(destination);
        _temps.Add(temp);
        return temp;
    }

    private static string TempBeside(string destination) =>
        Path.Combine(Path.GetDirectoryName(destination)!, TempPrefix + Guid.NewGuid().ToString("N"));

    /// <summary>Moves every staged file into place.</summary>
    public void Commit()
    {
        var done = new List<(string Destination, string? Backup)>();
        try
        {
            foreach (var (temp, destination, _) in _staged.OrderBy(s => s.Order))
            {
                string? backup = null;
                if (File.Exists(destination))
                {
                    backup = TempBeside(destination);
                    File.Move(destination, backup);
                }

                done.Add((destination, backup));
                File.Move(temp, destination);
            }
        }
        catch
        {
            for (var i = done.Count - 1; i >= 0; i--)
            {
                var (destination, backup) = done[i];
                TryDelete(destination);
                if (backup is not null)
                {
                    File.Move(backup, destination, overwrite: true);
                }
            }

            throw;
        }

        _committed = true;
        foreach (var (_, backup) in done)
        {
            if (backup is not null)
            {
                TryDelete(backup);
            }
        }

        SyncDirectories();
    }

    public void Dispose()
    {
        if (_committed)
        {
            return;
        }

        foreach (var temp in _temps)
        {
            TryDelete(temp);
        }

        // Deepest first: directories this change created are removed again when left empty.
        foreach (var directory in _createdDirectories.OrderByDescending(d => d.Length))
        {
            try
            {
                if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    Directory.Delete(directory);
                }
            }
            catch (IOException)
            {
            }
        }
    }

    private void SyncDirectories()
    {
        foreach (var directory in _staged.Select(s => Path.GetDirectoryName(s.Destination)!).Distinct(StringComparer.Ordinal))
        {
            IO.DurableFiles.SyncDirectory(directory);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
