using Otter.Agent.Platform;
using Otter.Trust.Bundles;

namespace Otter.Agent.Update;

/// <summary>
/// Receives a streamed bundle into the inactive slot. The manifest is checked against the fused
/// boot key, the device's hardware and security counter, and the signed release metadata before
/// a single stage byte is written.
/// </summary>
internal sealed class SlotBundleTarget(IDevicePlatform platform, string slot, long deviceSecurityCounter, ReleaseExpectation expected) : IBundleTarget
{
    public void AcceptManifest(SignedBootManifest manifest)
    {
        manifest.Verify(platform.FusedBootKeyHash);
        var m = manifest.Manifest;
        if (m.Hardware != platform.Identity.Hardware)
        {
            throw new BundleException($"the bundle is built for hardware {m.Hardware}; this device is {platform.Identity.Hardware}.");
        }

        if (m.SecurityCounter < deviceSecurityCounter)
        {
            throw new BundleException($"the bundle's security counter {m.SecurityCounter} is below the device's {deviceSecurityCounter} (downgrade refused).");
        }

        if (m.Version != expected.Version || m.SecurityCounter != expected.SecurityCounter || m.Hardware != expected.Hardware)
        {
            throw new BundleException($"the bundle's boot manifest (version {m.Version}, counter {m.SecurityCounter}, hardware {m.Hardware}) does not match the signed release (version {expected.Version}, counter {expected.SecurityCounter}, hardware {expected.Hardware}).");
        }
    }

    public Stream OpenStage(BootStage stage) => platform.CreateStage(slot, stage.Name);

    public void CompleteStage(BootStage stage, Stream destination) => destination.Dispose();
}
