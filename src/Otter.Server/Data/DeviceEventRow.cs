namespace Otter.Server.Data;

/// <summary>Something that happened to a device.</summary>
internal sealed class DeviceEventRow
{
    public long Id { get; set; }

    public required string DeviceId { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Kind { get; set; }

    public string? Detail { get; set; }
}
