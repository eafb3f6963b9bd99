using System.Text;

namespace Otter.Simulator.Tests.Behaviors;

/// <summary>The in-memory flash keeps the storage contract, and a power cut tears the operation it hits as real flash would.</summary>
public sealed class MemoryDeviceStorageTests
{
    private static MemoryDeviceStorage NewStorage() => new("dev", new ContentPool());

    [Fact]
    public void WriteFileAtomic_PowerCutAtIt_OldContentStaysAndLaterWritesFail()
    {
        var storage = NewStorage();
        storage.WriteFileAtomic("bootctl.json", "old"u8);
        storage.ArmPowerCut(1);

        Assert.Throws<PowerCutException>(() => storage.WriteFileAtomic("bootctl.json", "new"u8));

        Assert.Equal("old", Encoding.UTF8.GetString(storage.ReadFile("bootctl.json")!));
        Assert.True(storage.PoweredOff);
        Assert.Throws<PowerCutException>(() => storage.WriteFileAtomic("other", "x"u8));
        Assert.Equal(["write bootctl.json"], storage.PowerCuts);
        storage.PowerOn();
        storage.WriteFileAtomic("other", "x"u8);
        Assert.True(storage.Exists("other"));
    }

    [Fact]
    public void StreamWrite_PowerCutMidWrite_HalfTheChunkLands()
    {
        var storage = NewStorage();
        using var stream = storage.CreateFile("slots/a/os.stage");
        stream.Write(new byte[100]);
        storage.ArmPowerCut(1);

        Assert.Throws<PowerCutException>(() => stream.Write(new byte[100]));

        Assert.Equal(150, storage.ReadFile("slots/a/os.stage")!.Length);
    }

    [Fact]
    public void ClearDirectory_PowerCutAtIt_OneFileGoneTheRestStay()
    {
        var storage = NewStorage();
        storage.WriteFileAtomic("slots/b/a.stage", "1"u8);
        storage.WriteFileAtomic("slots/b/b.stage", "2"u8);
        storage.WriteFileAtomic("slots/a/keep.stage", "3"u8);
        storage.ArmPowerCut(1);

        Assert.Throws<PowerCutException>(() => storage.ClearDirectory("slots/b"));

        Assert.Equal(1, new[] { "slots/b/a.stage", "slots/b/b.stage" }.Count(storage.Exists));
        Assert.True(storage.Exists("slots/a/keep.stage"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    public void ReadFile_NotADevicePath_Throws(string path) =>
        Assert.Throws<ArgumentException>(() => NewStorage().ReadFile(path));
}
