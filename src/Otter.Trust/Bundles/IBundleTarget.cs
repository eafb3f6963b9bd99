namespace Otter.Trust.Bundles;

/// <summary>Where a streamed bundle goes: it sees the manifest first and may refuse it before any stage byte arrives.</summary>
public interface IBundleTarget
{
    /// <summary>Called once the manifest is read; throw to refuse the bundle.</summary>
    void AcceptManifest(SignedBootManifest manifest);

    /// <summary>Opens the destination of <paramref name="stage"/>'s bytes.</summary>
    Stream OpenStage(BootStage stage);

    /// <summary>Called after the stage's bytes were written and its hash checked; closes and flushes <paramref name="destination"/>.</summary>
    void CompleteStage(BootStage stage, Stream destination);
}
