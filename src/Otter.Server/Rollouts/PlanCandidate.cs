namespace Otter.Server.Rollouts;

/// <summary>A device the rollout selected: all the planner needs of it.</summary>
internal readonly record struct PlanCandidate(string Id, IReadOnlySet<string> Tags);
