using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Protocol.Incidents;

namespace Otter.Agent.Fleet;

/// <summary>
/// The device API of a fleet server (<c>/device/v1</c>) over HTTPS trusted through the fleet CA
/// only. Check-ins and reports authenticate with the fleet client certificate (mTLS) or, for
/// devices that cannot use one, with a signed device token; enrollment needs neither.
/// </summary>
internal sealed class DeviceApiClient : IDisposable
{
    public const string EnrollPath = "device/v1/enroll";
    public const string CheckInPath = "device/v1/checkin";
    public const string ReportsPath = "device/v1/reports";
    public const string RemediationCheckInPath = "device/v1/remediation/checkin";
    public const string RemediationReportsPath = "device/v1/remediation/reports";
    public const string ForensicsPath = "device/v1/forensics/";

    /// <summary>The largest answer read; real ones are a few KiB.</summary>
    private const int MaxResponseBytes = 1 << 20;

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);
    private readonly HttpClient _http;
    private readonly X509Certificate2? _clientCertificate;
    private readonly DeviceTokenCredential? _token;
    private readonly TimeProvider _time;

    /// <summary>
    /// A client for <paramref name="server"/> presenting <paramref name="clientCertificate"/> (mTLS;
    /// the client disposes it) or signing with <paramref name="token"/>, or neither (enrollment only).
    /// <paramref name="transport"/> may wrap the TLS handler (the fleet simulator's network faults).
    /// </summary>
    public DeviceApiClient(Uri server, X509Certificate2Collection fleetCa, X509Certificate2? clientCertificate, DeviceTokenCredential? token, TimeProvider time, Func<HttpMessageHandler, HttpMessageHandler>? transport = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        Server = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        _clientCertificate = clientCertificate;
        _token = token;
        _time = time;
        HttpMessageHandler handler = FleetTls.CreateHandler(fleetCa, clientCertificate);
        _http = new HttpClient(transport is null ? handler : transport(handler), disposeHandler: true) { Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>The server's base URL, ending in a slash.</summary>
    public Uri Server { get; }

    /// <summary>The same trust (and client certificate) for the repository and the log the server names.</summary>
    public HttpClient Http => _http;

    /// <summary><c>POST /device/v1/enroll</c>.</summary>
    public async Task<EnrollResponse> EnrollAsync(EnrollRequest request, CancellationToken cancellationToken)
    {
        var body = await PostAsync(EnrollPath, request, ProtocolJsonContext.Default.EnrollRequest, authenticate: false, cancellationToken);
        return Parse(body, ProtocolJsonContext.Default.EnrollResponse, EnrollPath);
    }

    /// <summary><c>POST /device/v1/checkin</c>.</summary>
    public async Task<CheckInResponse> CheckInAsync(CheckInRequest request, CancellationToken cancellationToken)
    {
        var body = await PostAsync(CheckInPath, request, ProtocolJsonContext.Default.CheckInRequest, authenticate: true, cancellationToken);
        return Parse(body, ProtocolJsonContext.Default.CheckInResponse, CheckInPath);
    }

    /// <summary><c>POST /device/v1/reports</c>.</summary>
    public Task ReportAsync(DeviceReport report, CancellationToken cancellationToken) =>
        PostAsync(ReportsPath, report, ProtocolJsonContext.Default.DeviceReport, authenticate: true, cancellationToken);

    /// <summary><c>POST /device/v1/remediation/checkin</c>: the check-in a quarantined device may still make (remediation orders only).</summary>
    public async Task<CheckInResponse> RemediationCheckInAsync(CheckInRequest request, CancellationToken cancellationToken)
    {
        var body = await PostAsync(RemediationCheckInPath, request, ProtocolJsonContext.Default.CheckInRequest, authenticate: true, cancellationToken);
        return Parse(body, ProtocolJsonContext.Default.CheckInResponse, RemediationCheckInPath);
    }

    /// <summary><c>POST /device/v1/remediation/reports</c>: progress of a remediation order (re-image).</summary>
    public Task RemediationReportAsync(DeviceReport report, CancellationToken cancellationToken) =>
        PostAsync(RemediationReportsPath, report, ProtocolJsonContext.Default.DeviceReport, authenticate: true, cancellationToken);

    /// <summary>
    /// <c>POST /device/v1/forensics/{request}</c>: <paramref name="bundle"/> exactly as signed, with
    /// the device key's signature in the <see cref="ForensicSignature.Header"/> header; answered with the custody record.
    /// </summary>
    public async Task<EvidenceView> UploadForensicsAsync(long request, byte[] bundle, byte[] signature, CancellationToken cancellationToken)
    {
        var path = ForensicsPath + request.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var answer = await SendAsync(path, bundle, authenticate: true, [(ForensicSignature.Header, Convert.ToBase64String(signature))], cancellationToken);
        return Parse(answer, ProtocolJsonContext.Default.EvidenceView, path);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _clientCertificate?.Dispose();
    }

    private Task<byte[]> PostAsync<T>(string path, T value, JsonTypeInfo<T> typeInfo, bool authenticate, CancellationToken cancellationToken) =>
        SendAsync(path, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), authenticate, [], cancellationToken);

    private async Task<byte[]> SendAsync(string path, byte[] body, bool authenticate, IReadOnlyList<(string Name, string Value)> headers, CancellationToken cancellationToken)
    {
        var uri = new Uri(Server, path);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (authenticate && _token is not null)
        {
            // The exact header the server parses; HttpClient's own Authorization parsing would re-format it.
            request.Headers.TryAddWithoutValidation("Authorization", DeviceToken.Create(_token.DeviceId, _token.Secret, "POST", uri.PathAndQuery, body, _time.GetUtcNow()));
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var answer = await ReadBoundedAsync(response, path, cancellationToken);
        return response.IsSuccessStatusCode ? answer : throw Problem(path, response, answer);
    }

    private DeviceApiException Problem(string path, HttpResponseMessage response, byte[] body)
    {
        string? said = null;
        string? type = null;
        if (response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                var problem = JsonSerializer.Deserialize(body, AgentJsonContext.Default.ProblemDocument);
                said = problem?.Detail ?? problem?.Title;
                type = problem?.Type;
            }
            catch (JsonException)
            {
                // Not a problem document after all: the status line still says what happened.
            }
        }

        TimeSpan? retryAfter = null;
        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is { } header)
        {
            var wait = header.Delta ?? (header.Date is { } date ? date - _time.GetUtcNow() : TimeSpan.Zero);
            retryAfter = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > MaxRetryAfter ? MaxRetryAfter : wait;
        }

        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        var message = $"the server answered {status} to /{path}" + (said is { Length: > 0 } ? $": {said}" : string.Empty);
        if (retryAfter is { } delay)
        {
            message += $" (retry after {delay.TotalSeconds:0} s)";
        }

        return new DeviceApiException(message, response.StatusCode, retryAfter, type);
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new DeviceApiException($"the server's answer to /{path} is {response.Content.Headers.ContentLength} bytes, more than the {MaxResponseBytes} a device reads; refused.");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                throw new DeviceApiException($"the server's answer to /{path} is more than the {MaxResponseBytes} bytes a device reads; refused.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static T Parse<T>(byte[] body, JsonTypeInfo<T> typeInfo, string path)
    {
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo)
                ?? throw new DeviceApiException($"the server's answer to /{path} is empty; the device API needs a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new DeviceApiException($"the server's answer to /{path} is not what the device API defines ({ex.Message}).", ex);
        }
    }
}
