using Otter.Trust.Bundles;

namespace Otter.Server.Releases;

/// <summary>Reads an uploaded bundle's manifest and checks each stage's hash as it streams past, keeping no stage bytes.</summary>
internal sealed class ManifestCapture : IBundleTarget
{
    public SignedBootManifest? Manifest { get; private set; }

    public void AcceptManifest(SignedBootManifest manifest) => Manifest = manifest;

    public Stream OpenStage(BootStage stage) => Stream.Null;

    public void CompleteStage(BootStage stage, Stream destination)
    {
    }
}
