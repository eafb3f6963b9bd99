namespace Otter.Server.Rollouts.Filters;

/// <summary><c>field op value</c>: string fields compare with <c>==</c>, <c>!=</c>, <c>in</c>; <c>tags</c> with <c>has</c>; numbers also with <c>&lt; &lt;= &gt; &gt;=</c>.</summary>
internal sealed record ComparisonFilter(string Field, string Operator, IReadOnlyList<string> Values) : FilterExpression
{
    public override bool Matches(DeviceFacts device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (Field == "tags")
        {
            var has = Values.Any(device.Tags.Contains);
            return Operator == "has" ? has : !has;
        }

        if (Field == "security_counter")
        {
            var value = long.Parse(Values[0], System.Globalization.CultureInfo.InvariantCulture);
            return Operator switch
            {
                "==" => device.SecurityCounter == value,
                "!=" => device.SecurityCounter != value,
                "<" => device.SecurityCounter < value,
                "<=" => device.SecurityCounter <= value,
                ">" => device.SecurityCounter > value,
                ">=" => device.SecurityCounter >= value,
                _ => false,
            };
        }

        var actual = Field switch
        {
            "hardware" => device.Hardware,
            "id" => device.Id,
            "status" => device.Status,
            "version" => device.Version,
            _ => device.Attributes.TryGetValue(Field["attr.".Length..], out var attribute) ? attribute : null,
        };
        return Operator switch
        {
            "==" or "in" => actual is not null && Values.Contains(actual, StringComparer.Ordinal),
            "!=" or "not in" => actual is null || !Values.Contains(actual, StringComparer.Ordinal),
            _ => false,
        };
    }
}
