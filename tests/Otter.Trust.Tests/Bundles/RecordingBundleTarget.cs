using Otter.Trust.Bundles;

namespace Otter.Trust.Tests.Bundles;

/// <summary>An <see cref="IBundleTarget"/> that keeps every stage in memory and records each call in order.</summary>
internal sealed class RecordingBundleTarget : IBundleTarget
{
    private readonly Func<SignedBootManifest, Exception?>? _refuse;

    public RecordingBundleTarget(Func<SignedBootManifest, Exception?>? refuse = null) => _refuse = refuse;

    /// <summary>Calls as "accept", "open:NAME" and "complete:NAME".</summary>
    public List<string> Calls { get; } = [];

    /// <summary>The bytes of every completed stage, by name.</summary>
    public Dictionary<string, byte[]> Stages { get; } = new(StringComparer.Ordinal);

    public SignedBootManifest? Accepted { get; private set; }

    public int OpenStageCalls => Calls.Count(c => c.StartsWith("open:", StringComparison.Ordinal));

    public void AcceptManifest(SignedBootManifest manifest)
    {
        Calls.Add("accept");
        if (_refuse?.Invoke(manifest) is { } refusal)
        {
            throw refusal;
        }

        Accepted = manifest;
    }

    public Stream OpenStage(BootStage stage)
    {
        Calls.Add("open:" + stage.Name);
        return new MemoryStream();
    }

    public void CompleteStage(BootStage stage, Stream destination)
    {
        Calls.Add("complete:" + stage.Name);
        Stages[stage.Name] = ((MemoryStream)destination).ToArray();
        destination.Dispose();
    }
}
