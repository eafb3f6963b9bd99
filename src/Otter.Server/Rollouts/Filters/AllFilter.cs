namespace Otter.Server.Rollouts.Filters;

/// <summary>The empty filter (<c>all</c>): every device.</summary>
internal sealed record AllFilter : FilterExpression
{
    public override bool Matches(DeviceFacts device) => true;
}
