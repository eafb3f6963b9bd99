namespace Otter.Server.Rollouts;

/// <summary>States of a rollout.</summary>
internal static class RolloutStatuses
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Halted = "halted";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
}
