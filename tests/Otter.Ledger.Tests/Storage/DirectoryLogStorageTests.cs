using Otter.Ledger.Storage;
using Otter.Ledger.Tests.TestSupport;

namespace Otter.Ledger.Tests.Storage;

public sealed class DirectoryLogStorageTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly DirectoryLogStorage _storage;

    public DirectoryLogStorageTests()
    {
        _storage = new DirectoryLogStorage(_temp.Path);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task WriteAsync_NestedPath_CreatesDirectoriesAndReadsBack()
    {
        await _storage.WriteAsync("tile/0/x001/234.p/5", new byte[] { 1, 2, 3 }, CancellationToken.None);

        Assert.Equal(new byte[] { 1, 2, 3 }, await _storage.ReadAsync("tile/0/x001/234.p/5", CancellationToken.None));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(_temp.Combine("tile/0/x001/234.p/5")));
        Assert.True(_storage.Exists("tile/0/x001/234.p/5"));
        Assert.Equal(3, _storage.Length("tile/0/x001/234.p/5"));
    }

    [Fact]
    public async Task WriteAsync_ExistingFile_ReplacesItAndLeavesNoTemporaryFiles()
    {
        await _storage.WriteAsync("checkpoint", new byte[] { 1, 2, 3, 4 }, CancellationToken.None);
        await _storage.WriteAsync("checkpoint", new byte[] { 9 }, CancellationToken.None);

        Assert.Equal(new byte[] { 9 }, await _storage.ReadAsync("checkpoint", CancellationToken.None));
        Assert.Equal(["checkpoint"], Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ReadAsync_AbsentFileOrDirectory_ReturnsNull()
    {
        Assert.Null(await _storage.ReadAsync("checkpoint", CancellationToken.None));
        Assert.Null(await _storage.ReadAsync("tile/0/000", CancellationToken.None));
        Assert.False(_storage.Exists("checkpoint"));
        Assert.Equal(-1, _storage.Length("checkpoint"));
    }

    [Fact]
    public async Task TruncateAndAppendAsync_AbsentFile_CreatesIt()
    {
        await _storage.TruncateAndAppendAsync("leaf-index", 0, new byte[] { 1, 2 }, CancellationToken.None);

        Assert.Equal(new byte[] { 1, 2 }, await _storage.ReadAsync("leaf-index", CancellationToken.None));
    }

    [Fact]
    public async Task TruncateAndAppendAsync_OffsetInsideFile_CutsThenAppends()
    {
        await _storage.WriteAsync("leaf-index", new byte[] { 1, 2, 3, 4, 5 }, CancellationToken.None);

        await _storage.TruncateAndAppendAsync("leaf-index", 2, new byte[] { 9, 9 }, CancellationToken.None);
        Assert.Equal(new byte[] { 1, 2, 9, 9 }, await _storage.ReadAsync("leaf-index", CancellationToken.None));

        await _storage.TruncateAndAppendAsync("leaf-index", 1, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        Assert.Equal(new byte[] { 1 }, await _storage.ReadAsync("leaf-index", CancellationToken.None));
    }

    [Fact]
    public async Task TruncateAndAppendAsync_OffsetBeyondEnd_ThrowsAndLeavesFile()
    {
        await _storage.WriteAsync("leaf-index", new byte[] { 1, 2 }, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<LogStateException>(async () => await _storage.TruncateAndAppendAsync("leaf-index", 3, new byte[] { 7 }, CancellationToken.None));

        Assert.Contains("leaf-index", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 1, 2 }, await _storage.ReadAsync("leaf-index", CancellationToken.None));
    }

    [Fact]
    public async Task ReadAt_OffsetAndBuffer_ReadsThatRangeAndFewerAtEnd()
    {
        await _storage.WriteAsync("leaf-index", new byte[] { 0, 1, 2, 3, 4, 5 }, CancellationToken.None);
        var buffer = new byte[4];

        Assert.Equal(4, _storage.ReadAt("leaf-index", 1, buffer));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, buffer);
        Assert.Equal(2, _storage.ReadAt("leaf-index", 4, buffer));
        Assert.Equal(0, _storage.ReadAt("leaf-index", 6, buffer));
    }

    [Fact]
    public void LockForWriting_AlreadyHeld_ThrowsUntilReleased()
    {
        var other = new DirectoryLogStorage(_temp.Path);
        using (_storage.LockForWriting())
        {
            var ex = Assert.Throws<LogStateException>(other.LockForWriting);
            Assert.Contains("another process", ex.Message, StringComparison.Ordinal);
        }

        using var again = other.LockForWriting();
    }

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../outside")]
    [InlineData("tile/../../outside")]
    [InlineData("tile//0")]
    [InlineData("tile/./0")]
    [InlineData("tile/")]
    [InlineData("tile\\0\\000")]
    public async Task ReadWriteExists_PathNotALogResource_ThrowArgumentException(string path)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await _storage.ReadAsync(path, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await _storage.WriteAsync(path, new byte[] { 1 }, CancellationToken.None));
        Assert.Throws<ArgumentException>(() => _storage.Exists(path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path));
    }

    [Fact]
    public async Task CleanTemporaryFiles_LeftoverTemporaries_DeletesOnlyThem()
    {
        await _storage.WriteAsync("tile/0/000.p/1", new byte[32], CancellationToken.None);
        File.WriteAllBytes(_temp.Combine(".otter-tmp-0123"), [1]);
        File.WriteAllBytes(_temp.Combine("tile/0/.otter-tmp-4567"), [1]);

        _storage.CleanTemporaryFiles();

        Assert.Equal(["000.p"], Directory.EnumerateFileSystemEntries(_temp.Combine("tile/0")).Select(Path.GetFileName));
        Assert.False(File.Exists(_temp.Combine(".otter-tmp-0123")));
        Assert.True(_storage.Exists("tile/0/000.p/1"));
    }

    [Fact]
    public void DirectoryPath_RelativeDirectory_IsFullPath()
    {
        Assert.Equal(Path.GetFullPath(_temp.Path), _storage.DirectoryPath);
        Assert.True(Path.IsPathFullyQualified(new DirectoryLogStorage("relative/log").DirectoryPath));
    }
}
