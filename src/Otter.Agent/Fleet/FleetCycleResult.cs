namespace Otter.Agent.Fleet;

/// <summary>How one fleet cycle ended.</summary>
/// <param name="Succeeded">Every step went through (nothing refused, pending or failed).</param>
/// <param name="RetryAfter">How long the server asked the device to wait before the next request.</param>
/// <param name="NextCheckIn">When the server would like the next check-in.</param>
internal sealed record FleetCycleResult(bool Succeeded, TimeSpan? RetryAfter = null, TimeSpan? NextCheckIn = null);
