using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Agent.Transport;

/// <summary>A TUF repository served over HTTP(S): <c>{base}/metadata/</c> and <c>{base}/targets/</c>; target downloads resume after a dropped connection.</summary>
public sealed class HttpRepositoryFetcher(HttpClient client, Uri baseUri) : IRepositoryFetcher
{
    private readonly Uri _base = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");

    /// <inheritdoc />
    public async Task<Stream> OpenMetadataAsync(string fileName, CancellationToken cancellationToken) =>
        await OpenAsync("metadata/" + Uri.EscapeDataString(fileName), cancellationToken);

    /// <inheritdoc />
    public async Task<Stream> OpenTargetAsync(string path, CancellationToken cancellationToken) =>
        await OpenAsync("targets/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString)), cancellationToken);

    private async Task<Stream> OpenAsync(string relative, CancellationToken cancellationToken)
    {
        try
        {
            return await ResumableHttpStream.OpenAsync(client, new Uri(_base, relative), cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new TufException($"cannot fetch {new Uri(_base, relative)}: {ex.Message}", ex);
        }
    }
}
