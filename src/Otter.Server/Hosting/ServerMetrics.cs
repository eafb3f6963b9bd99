using System.Diagnostics.Metrics;

namespace Otter.Server.Hosting;

/// <summary>Counters for refusals and traffic (meter <c>Otter.Server</c>), so attacks are counted as well as logged.</summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "Otter.Server";

    private readonly Meter _meter;
    private readonly Counter<long> _deviceRefused;
    private readonly Counter<long> _apiRefused;
    private readonly Counter<long> _checkIns;

    public ServerMetrics(IMeterFactory factory)
    {
        _meter = factory.Create(MeterName);
        _deviceRefused = _meter.CreateCounter<long>("otter.device.refused", description: "Device API requests refused (401, 403, 413, 429).");
        _apiRefused = _meter.CreateCounter<long>("otter.api.refused", description: "Management API requests refused (401, 403).");
        _checkIns = _meter.CreateCounter<long>("otter.device.checkins", description: "Device check-ins served.");
    }

    public void DeviceRefused(int status) => _deviceRefused.Add(1, new KeyValuePair<string, object?>("status", status));

    public void ApiRefused(int status) => _apiRefused.Add(1, new KeyValuePair<string, object?>("status", status));

    public void CheckIn() => _checkIns.Add(1);

    public void Dispose() => _meter.Dispose();
}
