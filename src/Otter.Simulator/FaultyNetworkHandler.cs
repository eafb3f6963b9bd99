using System.Net;
using System.Security.Cryptography;

namespace Otter.Simulator;

/// <summary>
/// Sits between a simulated agent and its TLS connection (so it sees what a man in the middle
/// with the server's key, or a bad link, would deliver): resets target downloads mid-body, slows
/// reads down, or flips a bit of firmware downloads or of metadata and log responses. The agent's own verification is
/// what must catch every alteration.
/// </summary>
internal sealed class FaultyNetworkHandler(HttpMessageHandler inner, DeviceBehavior behavior, NetworkFaults faults) : DelegatingHandler(inner)
{
    private const long MaxAltered = 64L * 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        var target = path.Contains("/repo/targets/", StringComparison.Ordinal);
        var fetched = target || path.Contains("/repo/metadata/", StringComparison.Ordinal) || path.Contains("/log/", StringComparison.Ordinal);
        if (!fetched || response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PartialContent))
        {
            return response;
        }

        switch (behavior)
        {
            case DeviceBehavior.FlakyNetwork when target && request.Headers.Range is null:
                // The first response of every firmware download breaks off halfway; the resumed ones get through.
                var length = response.Content.Headers.ContentLength ?? 0;
                var cutAt = Math.Max(1, length / 2);
                return Wrap(response, body => new FaultyStream(body, cutAt, null, faults));
            case DeviceBehavior.SlowLink when target:
                return Wrap(response, body => new FaultyStream(body, long.MaxValue, TimeSpan.FromMilliseconds(20), faults));
            case DeviceBehavior.ManInTheMiddle when target:
            case DeviceBehavior.ManInTheMiddleMetadata when !target:
                return await AlterAsync(response, target, cancellationToken);
            default:
                return response;
        }
    }

    private static HttpResponseMessage Wrap(HttpResponseMessage response, Func<Stream, Stream> wrap)
    {
        var original = response.Content;
        var content = new LazyStreamContent(original, wrap);
        foreach (var header in original.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
        return response;
    }

    private async Task<HttpResponseMessage> AlterAsync(HttpResponseMessage response, bool target, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxAltered)
        {
            return response;
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length == 0)
        {
            return response;
        }

        // One flipped bit anywhere in the body: as small an alteration as there is.
        var at = RandomNumberGenerator.GetInt32(bytes.Length);
        bytes[at] ^= (byte)(1 << RandomNumberGenerator.GetInt32(8));
        var altered = new ByteArrayContent(bytes);
        foreach (var header in response.Content.Headers)
        {
            altered.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content.Dispose();
        response.Content = altered;
        faults.Altered(target);
        return response;
    }
}
