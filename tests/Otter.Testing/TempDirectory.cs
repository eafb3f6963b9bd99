namespace Otter.Testing;

/// <summary>A fresh temporary directory for one test, deleted with its contents on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates the directory under the system temp folder.</summary>
    public TempDirectory(string prefix = "otter-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>The full path of <paramref name="parts"/> inside the directory (not created).</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>The full path of <paramref name="name"/> inside the directory (not created).</summary>
    public string File(string name) => Combine(name);

    /// <summary>Creates and returns the subdirectory <paramref name="name"/>.</summary>
    public string CreateSubdirectory(string name) => Directory.CreateDirectory(Combine(name)).FullName;

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary directory must not fail a test.
        }
    }
}
