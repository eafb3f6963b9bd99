using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Otter.Ledger.Log;
using Otter.Ledger.Storage;
using Otter.Trust.Keys;

namespace Otter.Server.Setup;

/// <summary>
/// Everything the server loads once at start: settings, the fleet CA and its key, the trusted
/// manufacturer CAs, the online TUF keys and the open transparency log. Any problem stops the
/// start with a message that says what to fix.
/// </summary>
internal sealed class ServerState : IDisposable
{
    private ServerState(ServerPaths paths, ServerSettings settings, X509Certificate2 ca, ISigner caKey, X509Certificate2Collection manufacturers, KeyHandle targets, KeyHandle snapshot, KeyHandle timestamp, TransparencyLog log)
    {
        Paths = paths;
        Settings = settings;
        CaCertificate = ca;
        CaKey = caKey;
        Manufacturers = manufacturers;
        TargetsKey = targets;
        SnapshotKey = snapshot;
        TimestampKey = timestamp;
        Log = log;
        FleetAnchors = [ca];
    }

    public ServerPaths Paths { get; }

    public ServerSettings Settings { get; }

    public X509Certificate2 CaCertificate { get; }

    /// <summary>The fleet CA as a trust-anchor collection.</summary>
    public X509Certificate2Collection FleetAnchors { get; }

    public ISigner CaKey { get; }

    public X509Certificate2Collection Manufacturers { get; private set; }

    public KeyHandle TargetsKey { get; }

    public KeyHandle SnapshotKey { get; }

    public KeyHandle TimestampKey { get; }

    public TransparencyLog Log { get; }

    /// <summary>One publish (TUF + log) at a time.</summary>
    public SemaphoreSlim PublishLock { get; } = new(1, 1);

    /// <summary>The management endpoint as bound (its real port), once listening.</summary>
    public Uri? BoundApiUrl { get; set; }

    /// <summary>The base URL devices fetch <c>/repo</c> and <c>/log</c> from: the configured public URL, else the bound API endpoint.</summary>
    public string PublicUrl => (Settings.PublicUrl ?? BoundApiUrl?.AbsoluteUri ?? Settings.ApiUrl).TrimEnd('/');

    public static ServerSettings ReadSettings(ServerPaths paths)
    {
        if (!File.Exists(paths.Settings))
        {
            throw new ServerSetupException($"{paths.Root} is not an Otter server data directory (no server.json); create one with `otter server init --data {paths.Root} --root-key KEY`.");
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(paths.Settings), ServerJsonContext.Default.ServerSettings)
                ?? throw new ServerSetupException($"{paths.Settings} is empty.");
        }
        catch (JsonException ex)
        {
            throw new ServerSetupException($"{paths.Settings} is not valid: {ex.Message}", ex);
        }
    }

    public static async Task<ServerState> LoadAsync(ServerPaths paths, ServerSettings settings, IPassphraseSource passphrases, CancellationToken cancellationToken)
    {
        Validate(settings, paths);
        var loader = new KeyLoader(passphrases);
        var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(paths.CaCertificate, cancellationToken));
        var caKey = Open(loader, paths, settings.Keys.Ca, "CA").GetSigner();
        using (var caPublic = ca.GetECDsaPublicKey())
        {
            if (caPublic is null || EcdsaP256.ToTufKey(caPublic).KeyValue.Public != caKey.PublicKey.KeyValue.Public)
            {
                throw new ServerSetupException($"the CA key {settings.Keys.Ca} does not belong to {paths.CaCertificate}; restore the matching pair.");
            }
        }

        var targets = Open(loader, paths, settings.Keys.Targets, "targets");
        var snapshot = Open(loader, paths, settings.Keys.Snapshot, "snapshot");
        var timestamp = Open(loader, paths, settings.Keys.Timestamp, "timestamp");
        var logKey = Open(loader, paths, settings.Keys.Log, "log").GetSigner();
        var log = await TransparencyLog.OpenAsync(new DirectoryLogStorage(paths.Log), logKey, cancellationToken);
        return new ServerState(paths, settings, ca, caKey, LoadManufacturers(paths), targets, snapshot, timestamp, log);
    }

    /// <summary>Re-reads <c>manufacturers/</c> (after <c>otter server trust-manufacturer</c>).</summary>
    public void ReloadManufacturers() => Manufacturers = LoadManufacturers(Paths);

    public static X509Certificate2Collection LoadManufacturers(ServerPaths paths)
    {
        var anchors = new X509Certificate2Collection();
        if (Directory.Exists(paths.Manufacturers))
        {
            foreach (var file in Directory.EnumerateFiles(paths.Manufacturers, "*.pem").Order(StringComparer.Ordinal))
            {
                anchors.ImportFromPemFile(file);
            }
        }

        return anchors;
    }

    public void Dispose()
    {
        Log.Dispose();
        CaKey.Dispose();
        TargetsKey.Dispose();
        SnapshotKey.Dispose();
        TimestampKey.Dispose();
        CaCertificate.Dispose();
        PublishLock.Dispose();
    }

    private static KeyHandle Open(KeyLoader loader, ServerPaths paths, string reference, string role)
    {
        try
        {
            return loader.Open(paths.ResolveKey(reference));
        }
        catch (KeyException ex)
        {
            throw new ServerSetupException($"the {role} key {reference}: {ex.Message}", ex);
        }
    }

    private static void Validate(ServerSettings settings, ServerPaths paths)
    {
        static void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ServerSetupException(message);
            }
        }

        Require(settings.DeviceCertificateDays is >= 1 and <= 3650, $"{paths.Settings}: device_certificate_days must be 1 to 3650.");
        Require(settings.DeviceRequestsPerMinute is >= 1 and <= 100_000, $"{paths.Settings}: device_requests_per_minute must be 1 to 100000.");
        Require(settings.DeviceBodyLimit is >= 1024 and <= 16 * 1024 * 1024, $"{paths.Settings}: device_body_limit must be 1 KiB to 16 MiB.");
        Require(settings.ApiBodyLimit is >= 1024 and <= 64 * 1024 * 1024, $"{paths.Settings}: api_body_limit must be 1 KiB to 64 MiB.");
        Require(settings.ReleaseLimit >= 1024, $"{paths.Settings}: release_limit must be at least 1 KiB.");
        Require(settings.CheckInIntervalSeconds is >= 1 and <= 86_400, $"{paths.Settings}: check_in_interval_seconds must be 1 to 86400.");
        Require(settings.LastSeenResolutionSeconds is >= 0 and <= 86_400, $"{paths.Settings}: last_seen_resolution_seconds must be 0 to 86400.");
        Require(settings.RolloutTickSeconds is >= 1 and <= 3600, $"{paths.Settings}: rollout_tick_seconds must be 1 to 3600.");
        foreach (var problem in settings.Incidents.Problems())
        {
            Require(false, $"{paths.Settings}: incidents: {problem}");
        }

        foreach (var (name, url) in new[] { ("api_url", settings.ApiUrl), ("device_url", settings.DeviceUrl), ("public_url", settings.PublicUrl ?? settings.ApiUrl) })
        {
            Require(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps, $"{name} {url} must be an https:// URL.");
        }

        foreach (var file in new[] { paths.CaCertificate, paths.TlsCertificate })
        {
            Require(File.Exists(file), $"{file} is missing; the data directory is incomplete (re-create it with `otter server init`).");
        }
    }
}
