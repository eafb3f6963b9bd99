using Microsoft.EntityFrameworkCore;
using Otter.Protocol.Management;
using Otter.Server.Data;

namespace Otter.Cli.Tests.TestSupport;

/// <summary>Writes many device rows straight into a test server's SQLite database (enrolling a thousand devices one by one would be slow).</summary>
internal static class InventoryRows
{
    public static async Task<List<string>> AddDevicesAsync(ServerFixture server, int count, string tag)
    {
        var options = new DbContextOptionsBuilder<OtterDbContext>()
            .UseSqlite($"Data Source={Path.Combine(server.DataDirectory, "otter.db")};Pooling=False")
            .Options;
        await using var db = new OtterDbContext(options);
        var ids = Enumerable.Range(0, count).Select(i => $"{tag}-{i:D5}").ToList();
        foreach (var id in ids)
        {
            db.Devices.Add(new DeviceRow
            {
                Id = id,
                Hardware = "gw-bulk",
                Status = DeviceStatuses.Approved,
                PublicKeyPem = "-",
                FactoryIssuer = "CN=bulk",
                FactorySerial = id,
                TagsJson = $"[\"{tag}\"]",
                EnrolledAt = TimeProvider.System.GetUtcNow(),
            });
        }

        await db.SaveChangesAsync();
        return ids;
    }
}
