using Microsoft.EntityFrameworkCore;

namespace Otter.Server.Data;

/// <summary>The server's database: devices, releases, API keys, the audit chain and device events.</summary>
internal sealed class OtterDbContext(DbContextOptions<OtterDbContext> options) : DbContext(options)
{
    public DbSet<DeviceRow> Devices => Set<DeviceRow>();

    public DbSet<ReleaseRow> Releases => Set<ReleaseRow>();

    public DbSet<ApiKeyRow> ApiKeys => Set<ApiKeyRow>();

    public DbSet<AuditRow> Audit => Set<AuditRow>();

    public DbSet<DeviceEventRow> DeviceEvents => Set<DeviceEventRow>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DeviceRow>(device =>
        {
            device.ToTable("devices");
            device.HasKey(d => d.Id);
            device.HasIndex(d => d.Status);
            device.HasIndex(d => d.LastSeen);
        });
        modelBuilder.Entity<ReleaseRow>(release =>
        {
            release.ToTable("releases");
            release.HasKey(r => r.Name);
        });
        modelBuilder.Entity<ApiKeyRow>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Id);
        });
        modelBuilder.Entity<AuditRow>(audit =>
        {
            audit.ToTable("audit");
            audit.HasKey(a => a.Sequence);
            audit.Property(a => a.Sequence).ValueGeneratedNever();
        });
        modelBuilder.Entity<DeviceEventRow>(evt =>
        {
            evt.ToTable("device_events");
            evt.HasKey(e => e.Id);
            evt.HasIndex(e => new { e.DeviceId, e.Id });
        });
    }
}
