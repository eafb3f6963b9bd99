using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using Otter.Protocol;
using Otter.Protocol.Device;

namespace Otter.Server.Tests.Devices;

/// <summary>Refused device requests are counted on the Otter.Server meter, by status.</summary>
[Collection(Otter.Server.Tests.Support.SerialTests.Name)]
public sealed class RefusalMetricsTests
{
    [Fact]
    public async Task CheckIn_WithoutCredentials_CountedAsRefused401()
    {
        await using var server = await ServerFixture.StartAsync();
        var counted = new List<(long Value, object? Status)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Otter.Server" && instrument.Name == "otter.device.refused")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (counted)
            {
                counted.Add((value, tags.ToArray().Single(t => t.Key == "status").Value));
            }
        });
        listener.Start();

        for (var i = 0; i < 3; i++)
        {
            using var response = await server.Device().PostAsJsonAsync("device/v1/checkin", new CheckInRequest(), ProtocolJsonContext.Default.CheckInRequest);
        }

        lock (counted)
        {
            Assert.Equal(3, counted.Count(c => Equals(c.Status, 401)));
        }
    }
}
