using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>
/// A real Kestrel on loopback serving a TUF repository under <c>/repo/</c> and a tiles log under
/// <c>/log/</c>, with <c>Range: bytes=N-</c> support and faults to switch on: connections reset
/// in the middle of a target, altered target bytes, range requests ignored.
/// </summary>
internal sealed class RepositoryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _repo;
    private readonly string _log;
    private int _resetsLeft;
    private int _dropsLeft;
    private int _anyDropsLeft;

    private RepositoryServer(WebApplication app, string repo, string log)
    {
        _app = app;
        _repo = Path.GetFullPath(repo);
        _log = Path.GetFullPath(log);
    }

    public Uri BaseUri { get; private set; } = null!;

    public string RepoUrl => new Uri(BaseUri, "repo/").AbsoluteUri;

    public string LogUrl => new Uri(BaseUri, "log/").AbsoluteUri;

    /// <summary>Every request: path and Range header.</summary>
    public ConcurrentQueue<(string Path, string? Range, int Status)> Requests { get; } = new();

    /// <summary>Bytes of a target sent before a connection is reset.</summary>
    public int ResetAfterBytes { get; set; } = 64 * 1024;

    /// <summary>Flip one byte in the middle of every target response.</summary>
    public bool AlterTargets { get; set; }

    /// <summary>Flip one byte in target responses to range requests only (a resumed download gets other bytes).</summary>
    public bool AlterResumedTargets { get; set; }

    /// <summary>Answer range requests with the whole file (200), as servers without range support do.</summary>
    public bool IgnoreRanges { get; set; }

    public static async Task<RepositoryServer> StartAsync(string repo, string log)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new RepositoryServer(app, repo, log);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseUri = new Uri(app.Urls.First() + "/");
        return server;
    }

    /// <summary>Resets the connection of the next <paramref name="count"/> target responses after <see cref="ResetAfterBytes"/> bytes.</summary>
    public void ResetNextTargets(int count) => Interlocked.Exchange(ref _resetsLeft, count);

    /// <summary>Drops the connection of the next <paramref name="count"/> requests of any kind before any response.</summary>
    public void DropNextRequests(int count) => Interlocked.Exchange(ref _anyDropsLeft, count);

    /// <summary>Drops the connection of the next <paramref name="count"/> range requests before any response.</summary>
    public void DropNextRangeRequests(int count) => Interlocked.Exchange(ref _dropsLeft, count);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var range = context.Request.Headers.Range.Count > 0 ? context.Request.Headers.Range.ToString() : null;
        var file = Map(path);
        if (file is null || !File.Exists(file))
        {
            Requests.Enqueue((path, range, 404));
            context.Response.StatusCode = 404;
            return;
        }

        if (Interlocked.Decrement(ref _anyDropsLeft) >= 0)
        {
            Requests.Enqueue((path, range, 0));
            context.Abort();
            return;
        }

        if (range is not null && Interlocked.Decrement(ref _dropsLeft) >= 0)
        {
            Requests.Enqueue((path, range, 0));
            context.Abort();
            return;
        }

        var bytes = await File.ReadAllBytesAsync(file);
        var isTarget = path.StartsWith("/repo/targets/", StringComparison.Ordinal);
        if (isTarget && (AlterTargets || (AlterResumedTargets && range is not null)))
        {
            bytes[bytes.Length / 2] ^= 0x01;
            bytes[^1] ^= 0x01;
        }

        long start = 0;
        if (range is not null && !IgnoreRanges)
        {
            if (!range.StartsWith("bytes=", StringComparison.Ordinal) || !range.EndsWith('-')
                || !long.TryParse(range.AsSpan(6, range.Length - 7), NumberStyles.None, CultureInfo.InvariantCulture, out start) || start >= bytes.Length)
            {
                Requests.Enqueue((path, range, 416));
                context.Response.StatusCode = 416;
                return;
            }

            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {start}-{bytes.Length - 1}/{bytes.Length}";
        }

        Requests.Enqueue((path, range, context.Response.StatusCode));
        context.Response.ContentLength = bytes.Length - start;
        context.Response.ContentType = "application/octet-stream";
        var body = bytes.AsMemory((int)start);
        if (isTarget && body.Length > ResetAfterBytes && Interlocked.Decrement(ref _resetsLeft) >= 0)
        {
            await context.Response.Body.WriteAsync(body[..ResetAfterBytes]);
            await context.Response.Body.FlushAsync();

            // Let the client take in what was sent before the reset (a reset discards unread data).
            await Task.Delay(200);
            context.Abort();
            return;
        }

        await context.Response.Body.WriteAsync(body);
    }

    private string? Map(string path)
    {
        string root;
        string relative;
        if (path.StartsWith("/repo/", StringComparison.Ordinal))
        {
            (root, relative) = (_repo, path["/repo/".Length..]);
        }
        else if (path.StartsWith("/log/", StringComparison.Ordinal))
        {
            (root, relative) = (_log, path["/log/".Length..]);
        }
        else
        {
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(root, Uri.UnescapeDataString(relative)));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }
}
