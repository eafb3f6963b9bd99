namespace Otter.Server.Rollouts.Filters;

/// <summary>A parsed device filter.</summary>
internal abstract record FilterExpression
{
    /// <summary>Whether <paramref name="device"/> matches.</summary>
    public abstract bool Matches(DeviceFacts device);
}
