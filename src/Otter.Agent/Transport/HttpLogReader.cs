using System.Net;
using Otter.Ledger.Storage;

namespace Otter.Agent.Transport;

/// <summary>A tiles log served over HTTP(S); a missing resource reads as null.</summary>
public sealed class HttpLogReader(HttpClient client, Uri baseUri) : ILogReader
{
    private const long MaxResourceLength = 16L * 1024 * 1024;
    private readonly Uri _base = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");

    /// <inheritdoc />
    public async ValueTask<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await HttpRetry.GetAsync(client, new Uri(_base, path), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentLength > MaxResourceLength)
        {
            throw new Otter.Ledger.LedgerException($"{path} from the log is larger than {MaxResourceLength} bytes; refused.");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxResourceLength)
            {
                throw new Otter.Ledger.LedgerException($"{path} from the log is larger than {MaxResourceLength} bytes; refused.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
