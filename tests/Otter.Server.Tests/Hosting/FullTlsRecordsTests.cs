using System.Net;
using System.Net.Sockets;
using Otter.Server.Tests.Support;

namespace Otter.Server.Tests.Hosting;

/// <summary>Responses leave the server in full TLS records, not Kestrel's 4 KiB blocks.</summary>
public sealed class FullTlsRecordsTests
{
    [Fact]
    public async Task Download_LargeTarget_SentInFullTlsRecords()
    {
        await using var server = await ServerFixture.StartAsync(backgroundWork: false);
        var bundle = TestReleases.Bundle(server.WorkDirectory, "1.0.0", osBytes: 1024 * 1024);
        var result = await TestReleases.PublishAsync(server, "fw.bundle", bundle);
        TlsRecordCounter? counter = null;
        var handler = server.Handler(null);
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return counter = new TlsRecordCounter(new NetworkStream(socket, ownsSocket: true));
        };
        using var client = new HttpClient(handler) { BaseAddress = server.ApiUrl };

        var bytes = await client.GetByteArrayAsync($"repo/targets/{result.Release.Sha256}.fw.bundle");

        Assert.Equal(await File.ReadAllBytesAsync(bundle), bytes);
        var records = counter!.ApplicationRecords.ToArray();

        // TLS 1.3: 16 KiB of plaintext is a 16,401-byte record; a 4 KiB block would be 4,113.
        var full = records.Count(r => r > 16_000);
        Assert.True(full >= bytes.Length / (16 * 1024) - 2, $"{full} of {records.Length} records carry a full 16 KiB; lengths: {string.Join(",", records.Take(40))}");
    }
}
