using Otter.Agent.Platform;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>The committed slot of a device (and the other slot) as they were before a step: bytes and recorded state.</summary>
internal sealed record ActiveSlotState(
    string Slot,
    SlotInfo Info,
    long SecurityCounter,
    SortedDictionary<string, string> Files,
    SlotInfo InactiveInfo,
    SortedDictionary<string, string> InactiveFiles)
{
    public string Inactive => BootControl.Other(Slot);

    public static ActiveSlotState Capture(string device)
    {
        var control = ReleaseFactory.OpenDevice(device).ReadBootControl();
        var active = control.Active ?? throw new InvalidOperationException("the device has no committed slot");
        var inactive = BootControl.Other(active);
        return new ActiveSlotState(
            active,
            control.Slots[active],
            control.SecurityCounter,
            DirectorySnapshot.Take(Path.Combine(device, "slots", active)),
            control.Slots[inactive],
            DirectorySnapshot.Take(Path.Combine(device, "slots", inactive)));
    }

    /// <summary>The active slot's files, its state and the boot control's active slot and counter are as captured.</summary>
    public void AssertUntouched(string device)
    {
        var control = ReleaseFactory.OpenDevice(device).ReadBootControl();
        Assert.Equal(Slot, control.Active);
        Assert.Equal(Info, control.Slots[Slot]);
        Assert.Equal(SlotState.Good, control.Slots[Slot].State);
        Assert.Equal(SecurityCounter, control.SecurityCounter);
        Assert.Equal(Files, DirectorySnapshot.Take(Path.Combine(device, "slots", Slot)));
    }

    /// <summary>
    /// After a refused install: the active slot is untouched, nothing is pending, the other slot
    /// is either untouched (refused before writing) or discarded (empty, no files), and a reboot
    /// boots the old version from the same slot.
    /// </summary>
    public async Task AssertRefusedAndBootsOldAsync(string device)
    {
        AssertUntouched(device);
        var control = ReleaseFactory.OpenDevice(device).ReadBootControl();
        Assert.Null(control.Trial);
        var inactiveFiles = DirectorySnapshot.Take(Path.Combine(device, "slots", Inactive));
        var untouched = control.Slots[Inactive] == InactiveInfo && inactiveFiles.SequenceEqual(InactiveFiles);
        var discarded = control.Slots[Inactive].State == SlotState.Empty && inactiveFiles.Count == 0;
        Assert.True(untouched || discarded, $"slot {Inactive} is {control.Slots[Inactive]} with {inactiveFiles.Count} files: neither untouched nor discarded");
        Assert.Equal("rejected", control.LastResult?.Outcome);
        var boot = await AgentRunner.RunAsync("boot", "--device", device);
        Assert.Equal($"booted slot {Slot} version {Info.Version}: booted", boot.Output.Trim());
        Assert.Equal(0, boot.ExitCode);
        AssertUntouched(device);
    }
}
