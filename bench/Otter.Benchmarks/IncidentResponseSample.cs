namespace Otter.Benchmarks;

/// <summary>
/// One tampered device, in milliseconds from the moment its check-in was sent: until the answer
/// (the server quarantines before it answers), until the alert reached the webhook; and the mean
/// round trip of its normal check-ins before, the reference.
/// </summary>
internal readonly record struct IncidentResponseSample(string Device, double NormalCheckInMs, double QuarantinedMs, double AlertMs);
