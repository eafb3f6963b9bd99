using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Otter.Benchmarks;

/// <summary>
/// Downloads a file with HTTP range requests: <c>connections</c> keep-alive HTTP/1.1 connections
/// (one client each), each taking the next range of the file until the file is done (one pass);
/// passes repeat for a warm-up and then for the measured window. The first pass is reassembled
/// in memory and its SHA-256 checked.
/// </summary>
internal static class RangeDownload
{
    private const int BufferSize = 256 * 1024;

    public static async Task<DownloadResult> RunAsync(
        string target,
        int round,
        Uri fileUrl,
        long length,
        string sha256,
        Func<HttpMessageHandler> handler,
        int connections,
        long rangeBytes,
        TimeSpan warmUp,
        TimeSpan duration)
    {
        var clients = Enumerable.Range(0, connections).Select(_ => new HttpClient(handler())
        {
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromMinutes(5),
        }).ToArray();
        try
        {
            // Untimed: the first pass opens the connections and proves the bytes are the file's.
            var copy = new byte[length];
            var requests = await PassAsync(clients, fileUrl, length, rangeBytes, copy);
            var got = Convert.ToHexStringLower(SHA256.HashData(copy));
            if (got != sha256)
            {
                throw new InvalidOperationException($"{target}: the downloaded file's SHA-256 is {got}, not {sha256}");
            }

            copy = null;
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed < warmUp)
            {
                await PassAsync(clients, fileUrl, length, rangeBytes, null);
            }

            var passes = 0;
            requests = 0;
            var stopwatch = Stopwatch.StartNew();
            do
            {
                requests += await PassAsync(clients, fileUrl, length, rangeBytes, null);
                passes++;
            }
            while (stopwatch.Elapsed < duration);
            stopwatch.Stop();
            return new DownloadResult(target, round, stopwatch.Elapsed.TotalSeconds, passes * length, passes, requests);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<int> PassAsync(HttpClient[] clients, Uri url, long length, long rangeBytes, byte[]? copy)
    {
        var ranges = (int)((length + rangeBytes - 1) / rangeBytes);
        var next = -1;
        var counts = await Task.WhenAll(clients.Select(async client =>
        {
            var buffer = new byte[BufferSize];
            var done = 0;
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= ranges)
                {
                    return done;
                }

                var from = index * rangeBytes;
                var to = Math.Min(length, from + rangeBytes) - 1;
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Range = new RangeHeaderValue(from, to);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                if (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentLength != to - from + 1)
                {
                    throw new InvalidOperationException($"GET {url} bytes={from}-{to}: {(int)response.StatusCode}, Content-Length {response.Content.Headers.ContentLength}");
                }

                await using var body = await response.Content.ReadAsStreamAsync();
                long received = 0;
                int read;
                while ((read = await body.ReadAsync(buffer)) > 0)
                {
                    if (copy is not null)
                    {
                        buffer.AsSpan(0, read).CopyTo(copy.AsSpan((int)(from + received)));
                    }

                    received += read;
                }

                if (received != to - from + 1)
                {
                    throw new InvalidOperationException($"GET {url} bytes={from}-{to}: {received} bytes received");
                }

                done++;
            }
        }));
        return counts.Sum();
    }
}
