namespace Otter.Server.Rollouts.Filters;

/// <summary><c>left and right</c>.</summary>
internal sealed record AndFilter(FilterExpression Left, FilterExpression Right) : FilterExpression
{
    public override bool Matches(DeviceFacts device) => Left.Matches(device) && Right.Matches(device);
}
