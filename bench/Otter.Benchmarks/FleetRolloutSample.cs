namespace Otter.Benchmarks;

/// <summary>One second of the <c>fleet-rollout</c> run: devices committed so far and the server's memory.</summary>
internal sealed record FleetRolloutSample(double Seconds, int Committed, double ServerRssMiB);
