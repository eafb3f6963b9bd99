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

    public DbSet<RolloutRow> Rollouts => Set<RolloutRow>();

    public DbSet<RolloutWaveRow> RolloutWaves => Set<RolloutWaveRow>();

    public DbSet<RolloutDeviceRow> RolloutDevices => Set<RolloutDeviceRow>();

    public DbSet<AlertSinkRow> AlertSinks => Set<AlertSinkRow>();

    public DbSet<AlertRow> Alerts => Set<AlertRow>();

    public DbSet<AlertDeliveryRow> AlertDeliveries => Set<AlertDeliveryRow>();

    public DbSet<IncidentRow> Incidents => Set<IncidentRow>();

    public DbSet<IncidentStepRow> IncidentSteps => Set<IncidentStepRow>();

    public DbSet<ForensicBundleRow> ForensicBundles => Set<ForensicBundleRow>();

    public DbSet<RemediationRow> Remediations => Set<RemediationRow>();

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
        modelBuilder.Entity<RolloutRow>(rollout =>
        {
            rollout.ToTable("rollouts");
            rollout.HasKey(r => r.Id);
            rollout.HasIndex(r => r.Status);
        });
        modelBuilder.Entity<RolloutWaveRow>(wave =>
        {
            wave.ToTable("rollout_waves");
            wave.HasKey(w => new { w.RolloutId, w.Index });
        });
        modelBuilder.Entity<RolloutDeviceRow>(row =>
        {
            row.ToTable("rollout_devices");
            row.HasKey(r => new { r.RolloutId, r.DeviceId });
            // Next devices to start, in rank order; in-flight rows by age (timeouts); changed rows (the tick's input).
            row.HasIndex(r => new { r.RolloutId, r.Wave, r.State, r.Rank });
            row.HasIndex(r => new { r.RolloutId, r.State, r.AssignedAt });
            row.HasIndex(r => new { r.RolloutId, r.Dirty });
            row.HasIndex(r => r.DeviceId);
        });
        modelBuilder.Entity<AlertSinkRow>(sink =>
        {
            sink.ToTable("alert_sinks");
            sink.HasKey(s => s.Id);
        });
        modelBuilder.Entity<AlertRow>(alert =>
        {
            alert.ToTable("alerts");
            alert.HasKey(a => a.Id);
            alert.HasIndex(a => a.DedupKey).IsUnique();
        });
        modelBuilder.Entity<AlertDeliveryRow>(delivery =>
        {
            delivery.ToTable("alert_deliveries");
            delivery.HasKey(d => d.Id);
            delivery.HasIndex(d => new { d.Status, d.NextAttemptAt });
        });
        modelBuilder.Entity<IncidentRow>(incident =>
        {
            incident.ToTable("incidents");
            incident.HasKey(i => i.Id);
            incident.HasIndex(i => new { i.DeviceId, i.Status });
            incident.HasIndex(i => i.Status);
        });
        modelBuilder.Entity<IncidentStepRow>(step =>
        {
            step.ToTable("incident_steps");
            step.HasKey(s => s.Id);
            step.HasIndex(s => new { s.IncidentId, s.Id });
        });
        modelBuilder.Entity<ForensicBundleRow>(bundle =>
        {
            bundle.ToTable("forensic_bundles");
            bundle.HasKey(b => b.Id);
            bundle.HasIndex(b => b.DeviceId);
            bundle.HasIndex(b => b.IncidentId);
        });
        modelBuilder.Entity<RemediationRow>(order =>
        {
            order.ToTable("remediations");
            order.HasKey(o => o.DeviceId);
        });
    }
}
