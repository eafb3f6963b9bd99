using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Otter.Server.Hosting;

/// <summary>
/// A connection middleware placed after <c>UseHttps</c>: the HTTP layer writes into a pipe whose
/// segments are a full TLS record (16 KiB) instead of Kestrel's 4 KiB memory-pool blocks. Kestrel
/// hands every segment to <see cref="System.Net.Security.SslStream"/> as a write of its own, so
/// its responses otherwise go out in 4 KiB records, four times the records (and the client's
/// reads) of a server like nginx; for artifact downloads that per-record cost is most of the gap.
/// Reading is left to Kestrel's pipe.
/// </summary>
internal static class FullTlsRecords
{
    /// <summary>The largest plaintext a TLS record carries (RFC 8446 §5.1).</summary>
    public const int RecordSize = 16 * 1024;

    public static ConnectionDelegate Use(ConnectionDelegate next) => async connection =>
    {
        if (connection.Features.Get<ISslStreamFeature>()?.SslStream is not { } tls)
        {
            await next(connection);
            return;
        }

        var original = connection.Transport;
        var output = PipeWriter.Create(tls, new StreamPipeWriterOptions(minimumBufferSize: RecordSize, leaveOpen: true));
        connection.Transport = new Duplex(original.Input, output);
        try
        {
            await next(connection);
        }
        finally
        {
            // Whatever the HTTP layer left buffered reaches the stream before UseHttps disposes it.
            await output.CompleteAsync();
            connection.Transport = original;
        }
    };

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
