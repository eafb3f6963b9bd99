using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Otter.Server.Data;
using Otter.Server.Setup;

namespace Otter.Server.Incidents;

/// <summary>
/// In-memory detectors on the device API's hot path (no database round trip): per-device EWMA
/// baselines of request rate, request volume and failed authentication, counted in buckets of
/// one check-in interval, which fire after a warm-up when the current bucket passes the mean by a
/// configurable number of standard deviations; and geographic checks of the source network
/// (CIDR -> region table) against the device's <c>region</c> attribute and against the region it
/// was last seen in (impossible travel). Findings go to <see cref="IncidentWorker"/> through a
/// bounded channel.
/// </summary>
internal sealed class AnomalyDetectors
{
    private readonly IncidentSettings _settings;
    private readonly int _interval;
    private readonly ConcurrentDictionary<string, DeviceBaseline> _devices = new(StringComparer.Ordinal);
    private readonly (IPNetwork Network, string Region)[] _regions;
    private readonly Channel<Finding> _findings = Channel.CreateBounded<Finding>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });

    public AnomalyDetectors(ServerState state)
        : this(state.Settings.Incidents, state.Settings.CheckInIntervalSeconds)
    {
    }

    internal AnomalyDetectors(IncidentSettings settings, int checkInIntervalSeconds)
    {
        _settings = settings;
        _interval = checkInIntervalSeconds;

        // Longest prefix first, so that a more specific network wins.
        _regions = [.. settings.Regions
            .Select(r => (Network: IPNetwork.Parse(r.Key), Region: r.Value))
            .OrderByDescending(r => r.Network.PrefixLength)];
    }

    /// <summary>Findings waiting to be acted on.</summary>
    public ChannelReader<Finding> Findings => _findings.Reader;

    /// <summary>An authenticated device request: counts it, judges the bucket and the network.</summary>
    public void Request(DeviceRow device, IPAddress? address, long bytes, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(device);
        var baseline = _devices.GetOrAdd(device.Id, static _ => new DeviceBaseline());
        Finding? rate = null;
        Finding? geo = null;
        lock (baseline)
        {
            Roll(baseline, now);
            baseline.FailedInARow = 0;
            baseline.Requests++;
            baseline.Bytes += Math.Max(0, bytes);
            rate = Judge(device.Id, baseline, 0, "request rate", baseline.Requests, baseline.RequestRate)
                ?? Judge(device.Id, baseline, 1, "request volume (bytes)", baseline.Bytes, baseline.ByteRate);
            if (_regions.Length > 0 && address is not null)
            {
                geo = Geography(device, baseline, address, now);
            }
        }

        Publish(rate);
        Publish(geo);
    }

    /// <summary>A refused authentication that claimed to be <paramref name="deviceId"/>.</summary>
    public void FailedAuthentication(string deviceId, DateTimeOffset now)
    {
        var baseline = _devices.GetOrAdd(deviceId, static _ => new DeviceBaseline());
        Finding? finding;
        lock (baseline)
        {
            Roll(baseline, now);
            baseline.FailedAuth++;
            baseline.FailedInARow++;
            finding = Judge(deviceId, baseline, 2, "failed authentication", baseline.FailedAuth, baseline.FailedAuthRate);
            if (finding is null && (baseline.FiredInBucket & (1 << 2)) == 0 && baseline.FailedInARow == _settings.FailedAuthThreshold)
            {
                finding = new Finding(
                    deviceId,
                    Protocol.Incidents.IncidentKinds.Baseline,
                    $"{baseline.FailedInARow} failed authentications in a row as device {deviceId}",
                    new Dictionary<string, string> { ["metric"] = "failed authentication", ["in_a_row"] = Text(baseline.FailedInARow) },
                    $"baseline:{deviceId}:failed-in-a-row:{baseline.Bucket}");
                baseline.FiredInBucket |= 1 << 2;
            }
        }

        Publish(finding);
    }

    /// <summary>The baselines of a device (for tests and the benchmark), or null.</summary>
    public (Ewma Requests, Ewma Bytes, Ewma FailedAuth)? Baseline(string deviceId) =>
        _devices.TryGetValue(deviceId, out var b) ? (b.RequestRate, b.ByteRate, b.FailedAuthRate) : null;

    private void Roll(DeviceBaseline baseline, DateTimeOffset now)
    {
        var bucket = now.ToUnixTimeSeconds() / _interval;
        if (baseline.Bucket == bucket)
        {
            return;
        }

        if (baseline.Bucket >= 0 && bucket > baseline.Bucket)
        {
            var alpha = _settings.BaselineAlpha;
            baseline.RequestRate.Add(baseline.Requests, alpha);
            baseline.ByteRate.Add(baseline.Bytes, alpha);
            baseline.FailedAuthRate.Add(baseline.FailedAuth, alpha);

            // Quiet buckets in between are zeros (at most a warm-up's worth: older silence says nothing new).
            var quiet = Math.Min(bucket - baseline.Bucket - 1, _settings.BaselineWarmup);
            for (var i = 0; i < quiet; i++)
            {
                baseline.RequestRate.Add(0, alpha);
                baseline.ByteRate.Add(0, alpha);
                baseline.FailedAuthRate.Add(0, alpha);
            }
        }

        baseline.Bucket = bucket;
        baseline.Requests = 0;
        baseline.Bytes = 0;
        baseline.FailedAuth = 0;
        baseline.FiredInBucket = 0;
    }

    private Finding? Judge(string deviceId, DeviceBaseline baseline, int metric, string name, double value, Ewma ewma)
    {
        var settings = _settings;
        if ((baseline.FiredInBucket & (1 << metric)) != 0 || ewma.Samples < settings.BaselineWarmup)
        {
            return null;
        }

        var limit = ewma.Limit(settings.BaselineDeviation);
        if (value <= limit)
        {
            return null;
        }

        baseline.FiredInBucket |= 1 << metric;
        return new Finding(
            deviceId,
            Protocol.Incidents.IncidentKinds.Baseline,
            $"device {deviceId}: {name} {Text(value)} in one check-in interval, above its baseline (mean {Text(ewma.Mean)}, limit {Text(limit)})",
            new Dictionary<string, string>
            {
                ["metric"] = name,
                ["value"] = Text(value),
                ["mean"] = Text(ewma.Mean),
                ["stddev"] = Text(Math.Sqrt(ewma.Variance)),
                ["limit"] = Text(limit),
                ["interval_seconds"] = Text(_interval),
            },
            $"baseline:{deviceId}:{metric}:{baseline.Bucket}");
    }

    private Finding? Geography(DeviceRow device, DeviceBaseline baseline, IPAddress address, DateTimeOffset now)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        string? region = null;
        foreach (var (network, name) in _regions)
        {
            if (network.Contains(address))
            {
                region = name;
                break;
            }
        }

        if (!ReferenceEquals(baseline.AttributesJson, device.AttributesJson))
        {
            // Parsed only when the attributes change, not per request.
            baseline.AttributesJson = device.AttributesJson;
            baseline.RegisteredRegion = (JsonSerializer.Deserialize(device.AttributesJson, ServerJsonContext.Default.DictionaryStringString) ?? []).GetValueOrDefault("region");
        }

        Finding? finding = null;
        var previous = baseline.LastRegion;
        if (region is not null && previous is not null && region != previous && now - baseline.LastRegionAt < TimeSpan.FromMinutes(_settings.MinimumRegionTravelMinutes))
        {
            finding = new Finding(
                device.Id,
                Protocol.Incidents.IncidentKinds.Geographic,
                $"device {device.Id} moved from {previous} to {region} in {Text((now - baseline.LastRegionAt).TotalMinutes)} minutes (impossible travel)",
                new Dictionary<string, string> { ["from_region"] = previous, ["to_region"] = region, ["from_address"] = baseline.LastAddress?.ToString() ?? "-", ["to_address"] = address.ToString() },
                $"geographic:{device.Id}:travel:{previous}:{region}:{now.ToUnixTimeSeconds() / 60}");
        }
        else if (baseline.RegisteredRegion is { } registered && region != registered && baseline.ReportedRegionMismatch != region)
        {
            // Reported once per unexpected network region, not per request.
            baseline.ReportedRegionMismatch = region;
            finding = new Finding(
                device.Id,
                Protocol.Incidents.IncidentKinds.Geographic,
                $"device {device.Id} registered in {registered} connects from {address} ({region ?? "no known region"})",
                new Dictionary<string, string> { ["registered_region"] = registered, ["network_region"] = region ?? "unknown", ["address"] = address.ToString() },
                $"geographic:{device.Id}:region:{region ?? "unknown"}:{now.ToUnixTimeSeconds() / 3600}");
        }
        else if (region == baseline.RegisteredRegion)
        {
            baseline.ReportedRegionMismatch = null;
        }

        if (region is not null)
        {
            baseline.LastRegion = region;
            baseline.LastRegionAt = now;
            baseline.LastAddress = address;
        }

        return finding;
    }

    private void Publish(Finding? finding)
    {
        if (finding is not null)
        {
            _findings.Writer.TryWrite(finding);
        }
    }

    private static string Text(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
