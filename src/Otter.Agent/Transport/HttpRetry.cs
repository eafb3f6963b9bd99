using System.Net;

namespace Otter.Agent.Transport;

/// <summary>GET with a few retries for failures that say nothing about the content.</summary>
internal static class HttpRetry
{
    // A connection that fails before any answer, or a server that is briefly unavailable, is
    // tried again a few times; anything else (404, 403, ...) is final.
    public static async Task<HttpResponseMessage> GetAsync(HttpClient client, Uri uri, CancellationToken cancellationToken)
    {
        const int attempts = 4;
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException) when (attempt < attempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
                continue;
            }

            if (attempt < attempts && response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
            {
                response.Dispose();
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
                continue;
            }

            return response;
        }
    }
}
