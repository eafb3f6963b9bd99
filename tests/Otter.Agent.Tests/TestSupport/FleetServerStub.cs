using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Protocol.Incidents;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>
/// A minimal fleet server on a real Kestrel over TLS (loopback): the device API
/// (<c>/device/v1/enroll</c>, <c>checkin</c>, <c>reports</c>) as <c>Otter.Protocol</c> defines it,
/// plus a TUF repository under <c>/repo/</c> and a log under <c>/log/</c>. It records what it
/// receives; it also answers like the server for quarantined and wiped devices (403 problem types,
/// the remediation check-in and reports, forensic uploads), and refuses certificates of a wiped identity.
/// </summary>
internal sealed class FleetServerStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestCa _fleetCa;
    private readonly string _repo;
    private readonly string _log;
    private readonly ConcurrentQueue<(string Action, UpdateAction? Update, CollectAction? Collect)> _assignments = new();
    private readonly ConcurrentDictionary<string, byte> _revoked = new(StringComparer.Ordinal);
    private byte[]? _tokenSecret;
    private int _tooManyLeft;
    private int _retryAfterSeconds;

    private FleetServerStub(WebApplication app, TestCa fleetCa, string repo, string log)
    {
        _app = app;
        _fleetCa = fleetCa;
        _repo = Path.GetFullPath(repo);
        _log = Path.GetFullPath(log);
    }

    public Uri BaseUri { get; private set; } = null!;

    public string RepoUrl => new Uri(BaseUri, "repo/").AbsoluteUri;

    public string LogUrl => new Uri(BaseUri, "log/").AbsoluteUri;

    /// <summary>How many enrollments to answer with 202 pending before approving.</summary>
    public int PendingEnrollments { get; set; }

    /// <summary>Answer enrollments with 409 (the identity is enrolled with another key).</summary>
    public bool RefuseEnrollment { get; set; }

    public ConcurrentQueue<FleetRequest> Requests { get; } = new();

    public ConcurrentQueue<EnrollRequest> Enrollments { get; } = new();

    public ConcurrentQueue<CheckInRequest> CheckIns { get; } = new();

    public ConcurrentQueue<DeviceReport> Reports { get; } = new();

    /// <summary>Every attestation nonce handed out, in order.</summary>
    public ConcurrentQueue<string> Nonces { get; } = new();

    /// <summary>Fleet certificates issued (PEM).</summary>
    public ConcurrentQueue<string> IssuedCertificates { get; } = new();

    public byte[]? TokenSecret => _tokenSecret;

    /// <summary>Answer normal device endpoints with 403 <c>urn:otter:problem:device-quarantined</c>; the remediation endpoints still answer.</summary>
    public bool Quarantined { get; set; }

    /// <summary>Answer every authenticated endpoint with 403 <c>urn:otter:problem:device-wiped</c>, until the device enrolls again.</summary>
    public bool Wiped { get; set; }

    /// <summary>Check-ins that came to <c>/device/v1/remediation/checkin</c>.</summary>
    public ConcurrentQueue<CheckInRequest> RemediationCheckIns { get; } = new();

    /// <summary>Reports that came to <c>/device/v1/remediation/reports</c>.</summary>
    public ConcurrentQueue<DeviceReport> RemediationReports { get; } = new();

    /// <summary>Forensic uploads: the request id, the exact bytes and the signature header.</summary>
    public ConcurrentQueue<(long Request, byte[] Body, string? Signature)> Uploads { get; } = new();

    public static async Task<FleetServerStub> StartAsync(TestCa fleetCa, X509Certificate2 serverCertificate, string repo, string log)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverCertificate,

            // Enrollment comes without a client certificate; check-ins bring one or a token.
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        })));
        var app = builder.Build();
        var server = new FleetServerStub(app, fleetCa, repo, log);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        server.BaseUri = new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        return server;
    }

    /// <summary>The next check-in is told to install <paramref name="target"/> from this server's repository and log.</summary>
    public void AssignUpdate(string target, string version) =>
        _assignments.Enqueue((DeviceActions.Update, new UpdateAction { Target = target, Version = version, RepositoryUrl = RepoUrl, LogUrl = LogUrl }, null));

    /// <summary>The next check-in (normal or remediation) orders a forced re-image to <paramref name="target"/>.</summary>
    public void OrderReimage(string target, string version) =>
        _assignments.Enqueue((DeviceActions.Reimage, new UpdateAction { Target = target, Version = version, RepositoryUrl = RepoUrl, LogUrl = LogUrl }, null));

    /// <summary>The next check-in (normal or remediation) asks for forensic bundle <paramref name="request"/>.</summary>
    public void OrderCollect(long request) =>
        _assignments.Enqueue((DeviceActions.Collect, null, new CollectAction { RequestId = request }));

    /// <summary>A download-only assignment: the agent stages the release without activating it.</summary>
    public void AssignStage(string target, string version) =>
        _assignments.Enqueue((DeviceActions.Stage, new UpdateAction { Target = target, Version = version, RepositoryUrl = RepoUrl, LogUrl = LogUrl }, null));

    /// <summary>The next <paramref name="count"/> check-ins get 429 with <c>Retry-After: seconds</c>.</summary>
    public void ThrottleCheckIns(int count, int retryAfterSeconds)
    {
        _retryAfterSeconds = retryAfterSeconds;
        Interlocked.Exchange(ref _tooManyLeft, count);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = Stopwatch.GetTimestamp();
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/repo/", StringComparison.Ordinal) || path.StartsWith("/log/", StringComparison.Ordinal))
        {
            await ServeFileAsync(context, path);
            return;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var authorization = context.Request.Headers.Authorization.Count > 0 ? context.Request.Headers.Authorization.ToString() : null;
        var certificate = context.Connection.ClientCertificate;
        bool? tokenValid = authorization is null
            ? null
            : DeviceToken.TryParse(authorization) is { } token && _tokenSecret is { } secret
                && token.Verify(secret, context.Request.Method, path + context.Request.QueryString, SHA256.HashData(body));
        var status = context.Request.Method != "POST" ? 405 : path switch
        {
            "/device/v1/enroll" => await EnrollAsync(context, body),
            "/device/v1/checkin" => await CheckInAsync(context, body, certificate, tokenValid, remediation: false),
            "/device/v1/reports" => await ReportAsync(context, body, certificate, tokenValid, remediation: false),
            "/device/v1/remediation/checkin" => await CheckInAsync(context, body, certificate, tokenValid, remediation: true),
            "/device/v1/remediation/reports" => await ReportAsync(context, body, certificate, tokenValid, remediation: true),
            _ when path.StartsWith("/device/v1/forensics/", StringComparison.Ordinal) => await UploadAsync(context, body, certificate, tokenValid, path),
            _ => 404,
        };
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = status;
        }

        Requests.Enqueue(new FleetRequest(path, authorization, certificate, tokenValid, status, arrived));
    }

    private async Task<int> EnrollAsync(HttpContext context, byte[] body)
    {
        var request = JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.EnrollRequest)!;
        Enrollments.Enqueue(request);

        // What a real server checks first: the CSR is self-signed by its key, the factory key signed the CSR.
        var csr = CertificateRequest.LoadSigningRequestPem(request.Csr, HashAlgorithmName.SHA256);
        var csrDer = PemDer(request.Csr);
        using var factory = X509Certificate2.CreateFromPem(request.FactoryCertificate);
        using var factoryKey = factory.GetECDsaPublicKey()!;
        if (!factoryKey.VerifyData(csrDer, Convert.FromBase64String(request.FactorySignature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
        {
            return await ProblemAsync(context, 401, "Bad factory signature", "the factory signature does not verify");
        }

        if (RefuseEnrollment)
        {
            return await ProblemAsync(context, 409, "Identity already enrolled", $"{factory.GetNameInfo(X509NameType.SimpleName, false)} is already enrolled with another device key");
        }

        var deviceId = factory.GetNameInfo(X509NameType.SimpleName, false);
        if (Wiped)
        {
            // As the real server: the wiped identity's certificates stay refused; the new enrollment is a new identity.
            foreach (var old in IssuedCertificates)
            {
                using var revoked = X509Certificate2.CreateFromPem(old);
                _revoked[revoked.Thumbprint] = 0;
            }

            Wiped = false;
        }

        if (PendingEnrollments > 0)
        {
            PendingEnrollments--;
            await WriteJsonAsync(context, 202, new EnrollResponse { DeviceId = deviceId, Status = EnrollmentStatus.Pending, CaCertificate = _fleetCa.CertificatePem }, ProtocolJsonContext.Default.EnrollResponse);
            return 202;
        }

        csr.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(TestCa.ClientAuthOid)], false));
        using var issued = _fleetCa.Issue(csr);
        var pem = issued.ExportCertificatePem() + "\n";
        IssuedCertificates.Enqueue(pem);
        _tokenSecret = RandomNumberGenerator.GetBytes(32);
        await WriteJsonAsync(
            context,
            200,
            new EnrollResponse { DeviceId = deviceId, Status = EnrollmentStatus.Approved, Certificate = pem, CaCertificate = _fleetCa.CertificatePem, TokenSecret = Convert.ToBase64String(_tokenSecret) },
            ProtocolJsonContext.Default.EnrollResponse);
        return 200;
    }

    /// <summary>What the real server's authentication middleware answers before any endpoint: 401, or 403 for a wiped or quarantined device; null to go on.</summary>
    private async Task<int?> RefuseAsync(HttpContext context, X509Certificate2? certificate, bool? tokenValid, bool remediation)
    {
        if (certificate is null && tokenValid != true)
        {
            return await ProblemAsync(context, 401, "Unauthenticated", "a client certificate or a valid device token is required");
        }

        if (certificate is not null && _revoked.ContainsKey(certificate.Thumbprint))
        {
            return await ProblemAsync(context, 401, "Unauthorized", "client certificate refused: it is not the current certificate of this device");
        }

        if (Wiped)
        {
            return await ProblemAsync(context, 403, "Forbidden", "device gw-0001 was wiped by the fleet: crypto-erase and enroll again", "urn:otter:problem:device-wiped");
        }

        if (Quarantined && !remediation)
        {
            return await ProblemAsync(context, 403, "Forbidden", "device gw-0001 is quarantined; only remediation is allowed", "urn:otter:problem:device-quarantined");
        }

        return null;
    }

    private async Task<int> CheckInAsync(HttpContext context, byte[] body, X509Certificate2? certificate, bool? tokenValid, bool remediation)
    {
        if (await RefuseAsync(context, certificate, tokenValid, remediation) is { } refused)
        {
            return refused;
        }

        if (Interlocked.Decrement(ref _tooManyLeft) >= 0)
        {
            context.Response.Headers.RetryAfter = _retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return await ProblemAsync(context, 429, "Too many requests", "this device checks in too often");
        }

        (remediation ? RemediationCheckIns : CheckIns).Enqueue(JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.CheckInRequest)!);
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Nonces.Enqueue(nonce);
        var assigned = _assignments.TryDequeue(out var next) ? next : default;
        await WriteJsonAsync(
            context,
            200,
            new CheckInResponse { Action = assigned.Action ?? DeviceActions.None, Update = assigned.Update, Collect = assigned.Collect, AttestationNonce = nonce },
            ProtocolJsonContext.Default.CheckInResponse);
        return 200;
    }

    private async Task<int> ReportAsync(HttpContext context, byte[] body, X509Certificate2? certificate, bool? tokenValid, bool remediation)
    {
        if (await RefuseAsync(context, certificate, tokenValid, remediation) is { } refused)
        {
            return refused;
        }

        (remediation ? RemediationReports : Reports).Enqueue(JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.DeviceReport)!);
        return 204;
    }

    private async Task<int> UploadAsync(HttpContext context, byte[] body, X509Certificate2? certificate, bool? tokenValid, string path)
    {
        if (await RefuseAsync(context, certificate, tokenValid, remediation: true) is { } refused)
        {
            return refused;
        }

        var request = long.Parse(path["/device/v1/forensics/".Length..], CultureInfo.InvariantCulture);
        var signature = context.Request.Headers[ForensicSignature.Header].Count > 0 ? context.Request.Headers[ForensicSignature.Header].ToString() : null;
        Uploads.Enqueue((request, body, signature));
        await WriteJsonAsync(
            context,
            201,
            new EvidenceView { Id = request, DeviceId = ReleaseFactory.DeviceId, RequestedBy = "key:test", ReceivedAt = DateTimeOffset.UtcNow, Sha256 = Convert.ToHexStringLower(SHA256.HashData(body)), Length = body.Length, Signature = signature },
            ProtocolJsonContext.Default.EvidenceView);
        return 201;
    }

    private static async Task WriteJsonAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
    }

    private static async Task<int> ProblemAsync(HttpContext context, int status, string title, string detail, string type = "about:blank")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var problem = new JsonObject { ["type"] = type, ["title"] = title, ["status"] = status, ["detail"] = detail };
        await context.Response.WriteAsync(problem.ToJsonString());
        return status;
    }

    private static byte[] PemDer(string pem)
    {
        var fields = PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    private async Task ServeFileAsync(HttpContext context, string path)
    {
        var (root, relative) = path.StartsWith("/repo/", StringComparison.Ordinal) ? (_repo, path["/repo/".Length..]) : (_log, path["/log/".Length..]);
        var full = Path.GetFullPath(Path.Combine(root, Uri.UnescapeDataString(relative)));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full))
        {
            context.Response.StatusCode = 404;
            return;
        }

        var bytes = await File.ReadAllBytesAsync(full);
        context.Response.ContentLength = bytes.Length;
        context.Response.ContentType = "application/octet-stream";
        await context.Response.Body.WriteAsync(bytes);
    }
}
