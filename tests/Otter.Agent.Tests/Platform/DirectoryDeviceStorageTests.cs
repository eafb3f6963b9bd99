using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;

namespace Otter.Agent.Tests.Platform;

/// <summary>The folder-backed device storage: paths stay inside the device; replacements are all-or-nothing.</summary>
public sealed class DirectoryDeviceStorageTests
{
    [Theory]
    [InlineData("")]
    [InlineData("../outside")]
    [InlineData("slots/../../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("slots//a")]
    [InlineData("slots/./a")]
    [InlineData("slots\\a")]
    [InlineData("slots/a/")]
    public void FullPath_PathThatCouldLeaveTheDevice_Throws(string path)
    {
        using var temp = new TempDirectory();
        var storage = new DirectoryDeviceStorage(temp.Path);

        Assert.Throws<ArgumentException>(() => storage.FullPath(path));
        Assert.Throws<ArgumentException>(() => storage.WriteFileAtomic(path, "x"u8));
        Assert.Throws<ArgumentException>(() => storage.CreateFile(path));
    }

    [Fact]
    public void WriteFileAtomic_ExistingFile_ReplacedWithNoTemporaryFileLeft()
    {
        using var temp = new TempDirectory();
        var storage = new DirectoryDeviceStorage(temp.Path);

        storage.WriteFileAtomic("state/x.json", "old"u8);
        storage.WriteFileAtomic("state/x.json", "new"u8);

        Assert.Equal("new"u8.ToArray(), storage.ReadFile("state/x.json"));
        Assert.Equal(["x.json"], Directory.GetFiles(temp.Combine("state")).Select(Path.GetFileName));
        Assert.Null(storage.ReadFile("state/none.json"));
    }

    [Fact]
    public void CreateFile_Disposed_HoldsWhatWasWritten()
    {
        using var temp = new TempDirectory();
        var storage = new DirectoryDeviceStorage(temp.Path);

        using (var stream = storage.CreateFile("slots/b/os.stage"))
        {
            stream.Write("image"u8);
        }

        using var read = storage.OpenRead("slots/b/os.stage");
        using var copy = new MemoryStream();
        read.CopyTo(copy);
        Assert.Equal("image"u8.ToArray(), copy.ToArray());
        Assert.True(storage.Exists("slots/b/os.stage"));
    }

    [Fact]
    public void ClearDirectory_FilesDeletedDirectoryKept()
    {
        using var temp = new TempDirectory();
        var storage = new DirectoryDeviceStorage(temp.Path);
        storage.WriteFileAtomic("slots/b/one", "1"u8);
        storage.WriteFileAtomic("slots/b/two", "2"u8);

        storage.ClearDirectory("slots/b");
        storage.ClearDirectory("slots/new");
        storage.Delete("slots/b/none");

        Assert.True(Directory.Exists(temp.Combine("slots", "b")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("slots", "b")));
        Assert.True(Directory.Exists(temp.Combine("slots", "new")));
    }
}
