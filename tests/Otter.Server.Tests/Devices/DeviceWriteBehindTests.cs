using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Otter.Protocol;
using Otter.Protocol.Device;
using Otter.Server.Devices;

namespace Otter.Server.Tests.Devices;

/// <summary>Routine check-in state is written behind the answer, and an unchanged check-in at most every resolution period.</summary>
public sealed class DeviceWriteBehindTests
{
    [Fact]
    public async Task CheckIn_UnchangedWithinResolution_VisibleAtOnceWrittenLater()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ServerFixture.StartAsync(time: clock);
        using var device = await DeviceApiTests.EnrolledAsync(server);
        var writer = server.Services.GetRequiredService<DeviceWriteBehind>();
        using var client = device.Client(server);
        var request = new CheckInRequest { Health = "healthy" };

        (await client.PostAsJsonAsync("device/v1/checkin", request, ProtocolJsonContext.Default.CheckInRequest)).EnsureSuccessStatusCode();
        await writer.FlushAsync(CancellationToken.None);
        var first = clock.GetUtcNow();
        Assert.Equal(first.ToUnixTimeMilliseconds(), await StoredLastSeenAsync(server, device.Id));

        clock.Advance(TimeSpan.FromSeconds(10));
        (await client.PostAsJsonAsync("device/v1/checkin", request, ProtocolJsonContext.Default.CheckInRequest)).EnsureSuccessStatusCode();
        await writer.FlushAsync(CancellationToken.None);
        var view = await server.Api().GetFromJsonAsync($"api/v1/devices/{device.Id}", ProtocolJsonContext.Default.DeviceView);
        Assert.Equal(clock.GetUtcNow(), view!.LastSeen);
        Assert.Equal(first.ToUnixTimeMilliseconds(), await StoredLastSeenAsync(server, device.Id));

        // A change is written at once.
        (await client.PostAsJsonAsync("device/v1/checkin", request with { Health = "unhealthy" }, ProtocolJsonContext.Default.CheckInRequest)).EnsureSuccessStatusCode();
        await writer.FlushAsync(CancellationToken.None);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), await StoredLastSeenAsync(server, device.Id));

        // So is an unchanged one once the resolution (300 s) has passed.
        clock.Advance(TimeSpan.FromSeconds(301));
        (await client.PostAsJsonAsync("device/v1/checkin", request with { Health = "unhealthy" }, ProtocolJsonContext.Default.CheckInRequest)).EnsureSuccessStatusCode();
        await writer.FlushAsync(CancellationToken.None);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), await StoredLastSeenAsync(server, device.Id));
    }

    private static async Task<long?> StoredLastSeenAsync(ServerFixture server, string id)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "otter.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"LastSeen\" FROM devices WHERE \"Id\" = $id";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync() as long?;
    }
}
