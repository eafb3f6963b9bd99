using System.Net;

namespace Otter.Simulator;

/// <summary>Content whose body stream is <paramref name="inner"/>'s, passed through <paramref name="wrap"/>.</summary>
internal sealed class LazyStreamContent(HttpContent inner, Func<Stream, Stream> wrap) : HttpContent
{
    protected override async Task<Stream> CreateContentReadStreamAsync() => wrap(await inner.ReadAsStreamAsync());

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => wrap(await inner.ReadAsStreamAsync(cancellationToken));

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await using var body = wrap(await inner.ReadAsStreamAsync());
        await body.CopyToAsync(stream);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
