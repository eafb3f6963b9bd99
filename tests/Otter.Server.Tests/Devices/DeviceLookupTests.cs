using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Otter.Server.Data;
using Otter.Server.Devices;

namespace Otter.Server.Tests.Devices;

/// <summary>The hand-written device read must stay in step with the EF model.</summary>
public sealed class DeviceLookupTests
{
    [Fact]
    public async Task Columns_EveryDeviceColumn_ReadByTheLookup()
    {
        await using var server = await ServerFixture.StartAsync();
        using var scope = server.Services.CreateScope();
        var model = scope.ServiceProvider.GetRequiredService<OtterDbContext>().Model.FindEntityType(typeof(DeviceRow))!;

        var columns = model.GetProperties().Select(p => p.GetColumnName()).Order(StringComparer.Ordinal);

        Assert.Equal(columns, DeviceLookup.Columns.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task FindAsync_EnrolledDevice_SameAsEf()
    {
        await using var server = await ServerFixture.StartAsync();
        using var device = await DeviceApiTests.EnrolledAsync(server);
        using var scope = server.Services.CreateScope();
        var expected = await scope.ServiceProvider.GetRequiredService<OtterDbContext>().Devices.AsNoTracking().SingleAsync(d => d.Id == device.Id);

        var actual = (await server.Services.GetRequiredService<DeviceLookup>().FindAsync(device.Id, CancellationToken.None))!;

        foreach (var property in typeof(DeviceRow).GetProperties())
        {
            var left = property.GetValue(expected);
            var right = property.GetValue(actual);
            Assert.True(left is byte[] a && right is byte[] b ? a.SequenceEqual(b) : Equals(left, right), $"{property.Name}: {left} != {right}");
        }
    }
}
