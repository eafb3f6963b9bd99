using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Otter.Agent.Boot;
using Otter.Agent.Platform;
using Otter.Protocol.Incidents;
using Otter.Trust.Bundles;

namespace Otter.Agent.Fleet;

/// <summary>
/// Builds the forensic bundle a fleet asks for: the agent's logs, the boot control block, every
/// slot file's SHA-256 computed from disk now, the measurement register (of the last boot and
/// of each slot now), recent quotes and the agent's state. Only named, public files are read;
/// <see cref="FindSecret"/> then checks the whole bundle so that nothing secret leaves the device.
/// </summary>
internal static class ForensicCollector
{
    /// <summary>The most of one log file sent (its newest bytes).</summary>
    public const int MaxLogBytes = 1 << 20;

    // Markers of secrets in any item: PEM private keys (encrypted or not) and PKCS#11 PINs in key URIs.
    private static readonly string[] SecretMarkers = ["PRIVATE KEY", "pin-value", "pin-source"];

    /// <summary>The bundle for <paramref name="requestId"/>, collected now.</summary>
    public static ForensicBundle Collect(IDevicePlatform platform, IDeviceStorage storage, long requestId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(storage);
        var items = new List<ForensicItem>();
        void Add(string name, byte[]? content)
        {
            if (content is not null)
            {
                items.Add(new ForensicItem { Name = name, Content = Convert.ToBase64String(content) });
            }
        }

        Add("logs/agent.log.1", Tail(storage.ReadFile(DevicePaths.AgentLogPrevious)));
        Add("logs/agent.log", Tail(storage.ReadFile(DevicePaths.AgentLog)));
        Add("bootctl.json", storage.ReadFile(DevicePaths.BootControl));
        foreach (var slot in BootControl.SlotNames)
        {
            Add($"slots/{slot}.sha256", Encoding.UTF8.GetBytes(SlotHashes(platform, slot)));
        }

        Add("measurements.txt", Encoding.UTF8.GetBytes(Measurements(platform)));
        var state = storage.ReadFile(DevicePaths.FleetState);
        Add("quotes.json", RecentQuotes(state));
        Add("agent/state.json", state);
        Add("agent/device.json", storage.ReadFile(DevicePaths.Identity));
        Add("agent/health.json", storage.ReadFile(DevicePaths.Health));
        Add("agent/log-checkpoint", storage.ReadFile(DevicePaths.LogCheckpoint));
        Add("agent/fleet-certificate.pem", storage.ReadFile(DevicePaths.FleetCertificate));
        return new ForensicBundle { DeviceId = platform.Identity.Id, RequestId = requestId, CollectedAt = now, Items = items };
    }

    /// <summary>
    /// Why <paramref name="bundle"/> must not leave the device (an item holds a private key, a PIN,
    /// or the fleet token secret), or null when it holds none of them.
    /// </summary>
    public static string? FindSecret(ForensicBundle bundle, IDeviceStorage storage)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(storage);
        var secrets = new List<(string What, byte[] Bytes)>();
        if (storage.ReadFile(DevicePaths.FleetTokenSecret) is { } tokenFile)
        {
            var text = Encoding.ASCII.GetString(tokenFile).Trim();
            secrets.Add(("the fleet token secret", Encoding.ASCII.GetBytes(text)));
            try
            {
                var raw = Convert.FromBase64String(text);
                if (raw.Length >= 16)
                {
                    secrets.Add(("the fleet token secret", raw));
                }
            }
            catch (FormatException)
            {
                // Not base64: its text form is checked above.
            }
        }

        foreach (var item in bundle.Items)
        {
            var content = Convert.FromBase64String(item.Content);
            foreach (var marker in SecretMarkers)
            {
                if (content.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)) >= 0)
                {
                    return $"item {item.Name} contains \"{marker}\" (key material)";
                }
            }

            foreach (var (what, bytes) in secrets)
            {
                if (bytes.Length > 0 && content.AsSpan().IndexOf(bytes) >= 0)
                {
                    return $"item {item.Name} contains {what}";
                }
            }
        }

        return null;
    }

    /// <summary><c>sha256sum</c> lines for every file of the slot, hashed from disk now.</summary>
    private static string SlotHashes(IDevicePlatform platform, string slot)
    {
        var directory = platform.SlotPath(slot);
        if (!Directory.Exists(directory))
        {
            // Slots that are not folders (in-memory, partitions): the manifest and the stages it names.
            return StageHashes(platform, slot);
        }

        var files = Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            return $"# slot {slot} holds no files\n";
        }

        var text = new StringBuilder();
        foreach (var file in files)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Hash(() => new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))}  {Path.GetFileName(file)}\n");
        }

        return text.ToString();
    }

    private static string StageHashes(IDevicePlatform platform, string slot)
    {
        if (platform.ReadManifest(slot) is not { } document)
        {
            return $"# slot {slot} holds no boot manifest\n";
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Convert.ToHexStringLower(SHA256.HashData(document))}  manifest.json\n");
        try
        {
            foreach (var stage in SignedBootManifest.Parse(document).Manifest.Stages)
            {
                text.Append(CultureInfo.InvariantCulture, $"{Hash(() => platform.OpenStage(slot, stage.Name))}  {stage.Name}.stage\n");
            }
        }
        catch (BundleException ex)
        {
            text.Append(CultureInfo.InvariantCulture, $"# the manifest does not parse ({ex.Message})\n");
        }

        return text.ToString();
    }

    private static string Hash(Func<Stream> open)
    {
        try
        {
            using var stream = open();
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"unreadable ({ex.Message})";
        }
    }

    private static string Measurements(IDevicePlatform platform)
    {
        var control = platform.ReadBootControl();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"boot register (last boot, slot {control.Booted ?? "-"}): {control.Measurement ?? "none"}\n");
        foreach (var slot in BootControl.SlotNames)
        {
            var chain = BootChainVerifier.Verify(platform, slot, control.SecurityCounter);
            text.Append(CultureInfo.InvariantCulture, $"slot {slot} now: {chain.Measurement} ({(chain.Ok ? "boot chain verifies" : "boot chain fails: " + chain.Failure)})\n");
        }

        return text.ToString();
    }

    /// <summary>The recent quotes kept in the agent state, as a JSON array; null when there is no readable state.</summary>
    private static byte[]? RecentQuotes(byte[]? state)
    {
        try
        {
            return state is null || JsonSerializer.Deserialize(state, AgentJsonContext.Default.FleetState) is not { } read
                ? null
                : JsonSerializer.SerializeToUtf8Bytes(read.RecentQuotes.ToList(), AgentJsonContext.Default.ListAttestationQuote);
        }
        catch (JsonException)
        {
            // The raw state goes along as it is.
            return null;
        }
    }

    private static byte[]? Tail(byte[]? log) => log is null || log.Length <= MaxLogBytes ? log : log[^MaxLogBytes..];
}
