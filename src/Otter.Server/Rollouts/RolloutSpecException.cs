namespace Otter.Server.Rollouts;

/// <summary>A rollout request that cannot be accepted; the message says what to change.</summary>
internal sealed class RolloutSpecException(string message) : Exception(message);
