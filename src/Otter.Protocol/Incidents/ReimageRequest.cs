namespace Otter.Protocol.Incidents;

/// <summary><c>POST /api/v1/devices/{id}/reimage</c>: install a known-good release in both slots, now.</summary>
public sealed record ReimageRequest
{
    /// <summary>The known-good release.</summary>
    public required string Release { get; init; }

    /// <summary>Why (optional).</summary>
    public string? Reason { get; init; }
}
