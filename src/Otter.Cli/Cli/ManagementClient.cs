using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Otter.Cli.Cli;

/// <summary>
/// The management API over HTTPS with an API key. The server's certificate is checked against
/// the fleet CA when one is given (custom root trust, nothing else trusted), otherwise against
/// the system trust store; validation is never switched off. Every failure becomes a
/// <see cref="ServerException"/> or <see cref="UsageException"/> with one line that says what to do.
/// </summary>
internal sealed class ManagementClient : IDisposable
{
    public const string ServerVariable = "OTTER_SERVER";
    public const string ApiKeyVariable = "OTTER_API_KEY";
    public const string ServerCaVariable = "OTTER_SERVER_CA";

    // Reads and small writes; uploads run without a limit (Ctrl-C stops them) since big bundles take long.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    private readonly HttpClient _http;
    private readonly X509Certificate2Collection? _trust;
    private readonly string? _trustSource;
    private string? _tlsProblem;

    private ManagementClient(Uri baseUrl, string apiKey, X509Certificate2Collection? trust, string? trustSource)
    {
        BaseUrl = baseUrl;
        _trust = trust;
        _trustSource = trustSource;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions
            {
                // Same decision as the default; it only remembers why a certificate was refused, for the error message.
                RemoteCertificateValidationCallback = (_, _, chain, errors) =>
                {
                    if (errors != SslPolicyErrors.None)
                    {
                        _tlsProblem = DescribeTlsProblem(errors, chain);
                    }

                    return errors == SslPolicyErrors.None;
                },
            },
        };
        if (trust is not null)
        {
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                // The fleet CA publishes no revocation lists; its certificates are short-lived instead.
                RevocationMode = X509RevocationMode.NoCheck,
            };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(trust);
        }

        _http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("otter-cli", "1"));
    }

    /// <summary>The management API's base URL (ends in '/').</summary>
    public Uri BaseUrl { get; }

    /// <summary>
    /// A client from the flags, falling back to <c>OTTER_SERVER</c>, <c>OTTER_API_KEY</c> and
    /// <c>OTTER_SERVER_CA</c>.
    /// </summary>
    public static ManagementClient Create(string? server, string? apiKey, string? serverCa, Func<string, string?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var (url, urlSource) = Setting(server, "--server", variables, ServerVariable)
            ?? throw new UsageException($"no fleet server given: pass --server URL or set {ServerVariable} (e.g. https://127.0.0.1:8443).");
        var (key, keySource) = Setting(apiKey, "--api-key", variables, ApiKeyVariable)
            ?? throw new UsageException($"no API key given: set {ApiKeyVariable} or pass --api-key KEY (`otter server init` printed the admin key).");
        if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c > '\x7e'))
        {
            throw new UsageException($"{keySource} holds spaces or characters an API key never has; give the key exactly as printed (otter_…).");
        }

        var baseUrl = ParseUrl(url, urlSource);
        X509Certificate2Collection? trust = null;
        string? trustSource = null;
        if (Setting(serverCa, "--server-ca", variables, ServerCaVariable) is var (caPath, caSource))
        {
            trust = LoadTrust(caPath, caSource);
            trustSource = $"{caSource} {caPath}";
        }

        return new ManagementClient(baseUrl, key, trust, trustSource);
    }

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> result, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), result, upload: false, cancellationToken);

    /// <summary>GET a body that is not JSON (e.g. text/csv), byte for byte as the server sent it; another media type is refused.</summary>
    public Task<byte[]> GetBytesAsync(string path, string mediaType, CancellationToken cancellationToken) =>
        SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
                return request;
            },
            (response, what, token) => ReadBytesAsync(response, what, mediaType, token),
            upload: false,
            cancellationToken);

    /// <summary>POST without a body (actions such as approve).</summary>
    public Task<T> PostAsync<T>(string path, JsonTypeInfo<T> result, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, path), result, upload: false, cancellationToken);

    public Task<TResult> PostAsync<TBody, TResult>(string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<TResult> result, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, bodyType) }, result, upload: false, cancellationToken);

    /// <summary>Streams <paramref name="content"/> (exactly <paramref name="length"/> bytes) as application/octet-stream.</summary>
    public Task<T> UploadAsync<T>(string path, Stream content, long length, JsonTypeInfo<T> result, CancellationToken cancellationToken) =>
        SendAsync(
            () =>
            {
                var body = new StreamContent(content, 1 << 16);
                body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                body.Headers.ContentLength = length;
                var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body };
                // The server answers a refused upload (bad key, bad name, duplicate) before reading
                // the body; waiting for 100-continue means such a file is never sent at all.
                request.Headers.ExpectContinue = true;
                return request;
            },
            result,
            upload: true,
            cancellationToken);

    public void Dispose()
    {
        _http.Dispose();
        if (_trust is not null)
        {
            foreach (var certificate in _trust)
            {
                certificate.Dispose();
            }
        }
    }

    private Task<T> SendAsync<T>(Func<HttpRequestMessage> create, JsonTypeInfo<T> resultType, bool upload, CancellationToken cancellationToken) =>
        SendAsync(create, (response, what, token) => ReadJsonAsync(response, what, resultType, token), upload, cancellationToken);

    private async Task<T> SendAsync<T>(Func<HttpRequestMessage> create, Func<HttpResponseMessage, string, CancellationToken, Task<T>> read, bool upload, CancellationToken cancellationToken)
    {
        using var request = create();
        var what = $"{request.Method} {new Uri(BaseUrl, request.RequestUri!)}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (!upload)
        {
            timeout.CancelAfter(RequestTimeout);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw await ProblemAsync(response, what, timeout.Token);
            }

            return await read(response, what, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerException($"{what} got no answer within {RequestTimeout.TotalSeconds:0} s; check that the server at {BaseUrl} is running.", ExitCodes.VerificationFailed, null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
    }

    private async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, string what, JsonTypeInfo<T> resultType, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(resultType, cancellationToken)
                ?? throw new JsonException("the body is JSON null");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new ServerException($"the answer to {what} is not the JSON this otter expects ({OneLine(ex.Message)}); is {BaseUrl} an Otter server of the same version?", ExitCodes.VerificationFailed, (int)response.StatusCode, ex);
        }
    }

    private async Task<byte[]> ReadBytesAsync(HttpResponseMessage response, string what, string mediaType, CancellationToken cancellationToken)
    {
        // A server that ignores the format parameter answers JSON; written out as CSV it would mislead.
        var type = response.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(type, mediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new ServerException($"the answer to {what} is {type ?? "of no stated type"}, not {mediaType}; is {BaseUrl} an Otter server of the same version?", ExitCodes.VerificationFailed, (int)response.StatusCode);
        }

        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    private static async Task<ServerException> ProblemAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var heading = $"{status} {response.ReasonPhrase ?? response.StatusCode.ToString()}";
        string? detail = null;
        try
        {
            var type = response.Content.Headers.ContentType?.MediaType;
            if (type is "application/problem+json" or "application/json")
            {
                var problem = await response.Content.ReadFromJsonAsync(ManagementJsonContext.Default.ProblemDocument, cancellationToken);
                // A title alone only repeats the status (e.g. a 404 for a path that is not the API).
                detail = problem?.Detail;
            }
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or NotSupportedException)
        {
            // Not a problem document after all: fall back to the status line.
        }

        return ServerException.FromStatus(
            status,
            detail is null
                ? $"the server answered {heading} to {what}, without saying why; is this the management API URL?"
                : $"the server refused ({heading}): {OneLine(detail)}");
    }

    private ServerException Unreachable(HttpRequestException ex)
    {
        if (_tlsProblem is { } tls)
        {
            var hint = _trustSource is null
                ? $"give the fleet CA with --server-ca FILE or {ServerCaVariable} (the server's pki/ca.pem)"
                : $"is {_trustSource} the CA of this server (its pki/ca.pem)?";
            return new ServerException($"the TLS certificate of {BaseUrl} is not trusted: {tls}; {hint}", ExitCodes.VerificationFailed, null, ex);
        }

        var reason = ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"the name {BaseUrl.Host} does not resolve",
            HttpRequestError.SecureConnectionError => $"the TLS handshake failed ({OneLine(ex.GetBaseException().Message)}); is it an https:// endpoint?",
            _ => OneLine(ex.GetBaseException().Message),
        };
        return new ServerException($"cannot reach the server at {BaseUrl}: {reason}.", ExitCodes.VerificationFailed, null, ex);
    }

    private static (string Value, string Source)? Setting(string? flagValue, string flag, Func<string, string?> variables, string variable)
    {
        if (!string.IsNullOrWhiteSpace(flagValue))
        {
            return (flagValue.Trim(), flag);
        }

        var fromEnvironment = variables(variable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? null : (fromEnvironment.Trim(), variable);
    }

    private static Uri ParseUrl(string url, string source)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
            || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new UsageException($"{source} \"{url}\" is not an https:// URL of the management API; give e.g. https://127.0.0.1:8443.");
        }

        // A base with a path (behind a proxy) must end in '/' or relative API paths would replace its last segment.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    private static X509Certificate2Collection LoadTrust(string path, string source)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"{source} {path} does not exist; give the fleet CA certificate (the server's pki/ca.pem).");
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (CryptographicException ex)
        {
            throw new UsageException($"{source} {path} is not a PEM certificate ({OneLine(ex.Message)}); give the fleet CA certificate (the server's pki/ca.pem).");
        }

        if (certificates.Count == 0)
        {
            throw new UsageException($"{source} {path} holds no PEM certificate; give the fleet CA certificate (the server's pki/ca.pem).");
        }

        return certificates;
    }

    private static string DescribeTlsProblem(SslPolicyErrors errors, X509Chain? chain)
    {
        var problems = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            problems.Add("the server sent no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            problems.Add("it is not issued for this host name");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            var statuses = chain?.ChainStatus.Select(s => OneLine(s.StatusInformation).TrimEnd('.')).Where(s => s.Length > 0).Distinct().ToList() ?? [];
            problems.Add(statuses.Count > 0 ? string.Join(", ", statuses) : "it does not chain to a trusted CA");
        }

        return string.Join("; ", problems);
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
