namespace Otter.Server.Rollouts.Filters;

/// <summary><c>left or right</c>.</summary>
internal sealed record OrFilter(FilterExpression Left, FilterExpression Right) : FilterExpression
{
    public override bool Matches(DeviceFacts device) => Left.Matches(device) || Right.Matches(device);
}
