using Otter.Trust.Bundles;

namespace Otter.Trust.Tests.Bundles;

/// <summary>An <see cref="IBundleTarget"/> that accepts everything and discards the stage bytes.</summary>
internal sealed class NullBundleTarget : IBundleTarget
{
    public void AcceptManifest(SignedBootManifest manifest)
    {
    }

    public Stream OpenStage(BootStage stage) => Stream.Null;

    public void CompleteStage(BootStage stage, Stream destination)
    {
    }
}
