namespace Otter.Server.Incidents;

/// <summary>What a detector saw, to be acted on by <see cref="IncidentWorker"/> under the detection policy.</summary>
internal sealed record Finding(string DeviceId, string Kind, string Title, IReadOnlyDictionary<string, string> Evidence, string DedupKey);
