using System.Net;
using System.Net.Http.Headers;

namespace Otter.Agent.Transport;

/// <summary>
/// Reads an HTTP resource and, when the connection drops mid-body, carries on from where it
/// stopped with a <c>Range</c> request: a flaky link costs a reconnect, not the whole download.
/// The caller still caps the length and checks the hash of what it reads.
/// </summary>
internal sealed class ResumableHttpStream : Stream
{
    private const int MaxResumes = 8;
    private readonly HttpClient _client;
    private readonly Uri _uri;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private long _position;
    private int _resumes;

    private ResumableHttpStream(HttpClient client, Uri uri, HttpResponseMessage response, Stream body)
    {
        _client = client;
        _uri = uri;
        _response = response;
        _body = body;
    }

    /// <summary>Total resumes so far (for reports and tests).</summary>
    public int Resumes => _resumes;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public static async Task<ResumableHttpStream> OpenAsync(HttpClient client, Uri uri, CancellationToken cancellationToken)
    {
        var response = await HttpRetry.GetAsync(client, uri, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            throw new Otter.Trust.Tuf.RepositoryNotFoundException($"{uri} was not found (404).");
        }

        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new HttpRequestException($"{uri} answered {status}.");
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new ResumableHttpStream(client, uri, response, body);
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                var read = await _body!.ReadAsync(buffer, cancellationToken);
                _position += read;
                return read;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                await ReconnectAsync(ex, cancellationToken);
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body?.Dispose();
            _response?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reconnects after <paramref name="failure"/>; a reconnect that fails too is one more of the <see cref="MaxResumes"/> attempts, not the end of the download.</summary>
    private async Task ReconnectAsync(Exception failure, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_resumes >= MaxResumes)
            {
                throw new IOException($"the download of {_uri} broke off {_resumes + 1} times; giving up at byte {_position}.", failure);
            }

            _resumes++;
            await Task.Delay(TimeSpan.FromMilliseconds(100 * _resumes), cancellationToken);
            try
            {
                await ResumeAsync(cancellationToken);
                return;
            }
            catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = ex;
            }
        }
    }

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = null;
        using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
        request.Headers.Range = new RangeHeaderValue(_position, null);
        var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != _position)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new IOException($"{_uri} cannot resume at byte {_position} (answered {status} to a range request).");
        }

        _response = response;
        _body = await response.Content.ReadAsStreamAsync(cancellationToken);
    }
}
