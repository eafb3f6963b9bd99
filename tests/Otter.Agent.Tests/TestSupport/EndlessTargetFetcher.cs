using Otter.Trust.Tuf.Client;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>Serves the real metadata, but every target as its real bytes followed by an endless stream of zeros.</summary>
internal sealed class EndlessTargetFetcher(IRepositoryFetcher inner) : IRepositoryFetcher
{
    private long _served;

    /// <summary>Target bytes handed out so far.</summary>
    public long Served => Interlocked.Read(ref _served);

    public Task<Stream> OpenMetadataAsync(string fileName, CancellationToken cancellationToken) => inner.OpenMetadataAsync(fileName, cancellationToken);

    public async Task<Stream> OpenTargetAsync(string path, CancellationToken cancellationToken) =>
        new EndlessTargetStream(await inner.OpenTargetAsync(path, cancellationToken), count => Interlocked.Add(ref _served, count));
}
