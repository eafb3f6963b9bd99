namespace Otter.Server.Rollouts;

/// <summary>What one engine tick did (for tests, logs and the benchmark).</summary>
internal sealed record RolloutTickResult(int Rollouts, int Folded, int TimedOut, int Assigned, int Deferred, IReadOnlyList<string> Transitions);
