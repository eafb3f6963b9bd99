namespace Otter.Server.Data;

/// <summary>A webhook that receives alerts, signed with its secret (HMAC-SHA256).</summary>
internal sealed class AlertSinkRow
{
    public long Id { get; set; }

    public required string Url { get; set; }

    public required byte[] Secret { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }
}
