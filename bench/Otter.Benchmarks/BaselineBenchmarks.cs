using System.Collections.Concurrent;
using System.Net;

using BenchmarkDotNet.Attributes;

using Otter.Server.Data;
using Otter.Server.Incidents;
using Otter.Server.Setup;

namespace Otter.Benchmarks;

/// <summary>
/// Cost of the behavioural baselines per device request (what the device API pays on every
/// check-in: one dictionary lookup, a lock, the EWMA fold at a bucket change and the deviation
/// test), against a reference in the same run: a bare per-device counter in a concurrent
/// dictionary. Target: a few microseconds, no database round trip (there is none in the code).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[BenchmarkCategory("Incident-Baselines")]
public class BaselineBenchmarks
{
    private static readonly IPAddress RegionAddress = IPAddress.Parse("10.3.0.1");
    private const int Devices = 10_000;
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private AnomalyDetectors _detectors = null!;
    private AnomalyDetectors _withRegions = null!;
    private DeviceRow[] _rows = [];
    private DateTimeOffset _now;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _detectors = new AnomalyDetectors(new IncidentSettings(), checkInIntervalSeconds: 60);
        var regions = new IncidentSettings();
        for (var i = 0; i < 64; i++)
        {
            regions.Regions[$"10.{i}.0.0/16"] = "region-" + (i % 8);
        }

        _withRegions = new AnomalyDetectors(regions, checkInIntervalSeconds: 60);
        _rows = [.. Enumerable.Range(0, Devices).Select(i => new DeviceRow { Id = $"bench-{i:00000}", Hardware = "gw-x2", Status = "approved", PublicKeyPem = string.Empty, FactoryIssuer = "CN=f", FactorySerial = "01", AttributesJson = "{\"region\":\"region-3\"}" })];
        _now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        // Warm every baseline past its warm-up, as on a fleet that has run for a while.
        for (var bucket = 0; bucket < 40; bucket++)
        {
            foreach (var row in _rows)
            {
                _detectors.Request(row, IPAddress.Loopback, 600, _now);
                _withRegions.Request(row, IPAddress.Parse("10.3.0.1"), 600, _now);
            }

            _now = _now.AddSeconds(60);
        }
    }

    /// <summary>The reference: one per-device counter in a concurrent dictionary.</summary>
    [Benchmark(Baseline = true)]
    public long Raw_ConcurrentDictionary_PerDeviceCounter()
    {
        var row = _rows[_next++ % Devices];
        return _counters.AddOrUpdate(row.Id, 1, static (_, n) => n + 1);
    }

    /// <summary>The EWMA baselines a device request pays.</summary>
    [Benchmark]
    public void Otter_AnomalyDetectors_Request()
    {
        var i = _next++;
        // Each device's request lands in a new bucket every pass over the fleet: the fold is part of the cost.
        _detectors.Request(_rows[i % Devices], IPAddress.Loopback, 600, _now.AddSeconds(60 * (i / Devices)));
    }

    /// <summary>The same with a 64-network region table, from an address in the device's region.</summary>
    [Benchmark]
    public void Otter_AnomalyDetectors_Request_Regions()
    {
        var i = _next++;
        _withRegions.Request(_rows[i % Devices], RegionAddress, 600, _now.AddSeconds(60 * (i / Devices)));
    }
}
