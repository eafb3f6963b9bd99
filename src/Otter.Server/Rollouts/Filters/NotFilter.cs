namespace Otter.Server.Rollouts.Filters;

/// <summary><c>not inner</c>.</summary>
internal sealed record NotFilter(FilterExpression Inner) : FilterExpression
{
    public override bool Matches(DeviceFacts device) => !Inner.Matches(device);
}
