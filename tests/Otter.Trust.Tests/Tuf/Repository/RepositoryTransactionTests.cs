using Otter.Trust.Tuf.Repository;

namespace Otter.Trust.Tests.Tuf.Repository;

public sealed class RepositoryTransactionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "otter-tx-" + Guid.NewGuid().ToString("N")[..12]);

    public RepositoryTransactionTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public void Commit_AllStaged_FilesInPlaceAndNoTemps()
    {
        File.WriteAllText(Path.Combine(_directory, "a.json"), "old");
        using (var transaction = new RepositoryTransaction())
        {
            transaction.StageBytes(Path.Combine(_directory, "a.json"), "new"u8, 1);
            transaction.StageBytes(Path.Combine(_directory, "sub", "b.json"), "b"u8, 0);
            transaction.Commit();
        }

        Assert.Equal("new", File.ReadAllText(Path.Combine(_directory, "a.json")));
        Assert.Equal("b", File.ReadAllText(Path.Combine(_directory, "sub", "b.json")));
        Assert.Empty(Directory.GetFiles(_directory, RepositoryTransaction.TempPrefix + "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Commit_FailsHalfway_EarlierMovesUndoneAndOldFilesRestored()
    {
        File.WriteAllText(Path.Combine(_directory, "a.json"), "old");
        Directory.CreateDirectory(Path.Combine(_directory, "blocker"));
        File.WriteAllText(Path.Combine(_directory, "blocker", "inside"), "x");
        var before = Snapshot();

        using (var transaction = new RepositoryTransaction())
        {
            transaction.StageBytes(Path.Combine(_directory, "a.json"), "new"u8, 0);
            transaction.StageBytes(Path.Combine(_directory, "c.json"), "c"u8, 1);

            // A directory where a file must go makes the last move fail.
            transaction.StageBytes(Path.Combine(_directory, "blocker"), "z"u8, 2);
            Assert.ThrowsAny<IOException>(transaction.Commit);
        }

        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public void Dispose_WithoutCommit_RemovesTempsAndCreatedDirectories()
    {
        var before = Snapshot();
        using (var transaction = new RepositoryTransaction())
        {
            transaction.StageBytes(Path.Combine(_directory, "deep", "er", "x.json"), "x"u8, 0);
        }

        Assert.Equal(before, Snapshot());
        Assert.False(Directory.Exists(Path.Combine(_directory, "deep")));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private SortedDictionary<string, string> Snapshot()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in Directory.EnumerateFileSystemEntries(_directory, "*", SearchOption.AllDirectories))
        {
            result[Path.GetRelativePath(_directory, entry)] = File.Exists(entry) ? File.ReadAllText(entry) : "<dir>";
        }

        return result;
    }
}
