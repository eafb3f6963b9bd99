using Otter.Server.Rollouts.Filters;

namespace Otter.Server.Tests.Rollouts.Filters;

/// <summary>The device filter language: what matches, and clear errors for what does not parse.</summary>
public sealed class FilterParserTests
{
    private static readonly DeviceFacts Gateway = new(
        "gw-0001",
        "gw-x2",
        "approved",
        new HashSet<string> { "eu", "canary" },
        new Dictionary<string, string> { ["site"] = "berlin", ["floor"] = "3" },
        "1.2.0",
        4);

    [Theory]
    [InlineData("hardware == \"gw-x2\" and tags has \"eu\" and attr.site != \"lab\"", true)]
    [InlineData("hardware == \"gw-x2\" and attr.site == \"lab\"", false)]
    [InlineData("tags has \"us\" or tags has \"canary\"", true)]
    [InlineData("not tags has \"eu\"", false)]
    [InlineData("tags not has \"us\"", true)]
    [InlineData("id in [\"gw-0001\", \"gw-0002\"]", true)]
    [InlineData("id not in [\"gw-0001\"]", false)]
    [InlineData("attr.missing != \"x\"", true)]
    [InlineData("attr.missing == \"x\"", false)]
    [InlineData("security_counter < 5 and security_counter >= 4", true)]
    [InlineData("security_counter > 4", false)]
    [InlineData("(tags has \"us\" or hardware == \"gw-x2\") and not status == \"quarantined\"", true)]
    [InlineData("version == \"1.2.0\"", true)]
    [InlineData("attr.name == \"quote \\\" inside\"", false)]
    [InlineData("", true)]
    [InlineData("all", true)]
    public void Parse_ValidFilter_MatchesAsWritten(string filter, bool expected)
    {
        Assert.Equal(expected, FilterParser.Parse(filter).Matches(Gateway));
    }

    [Fact]
    public void Parse_AndBindsTighterThanOr_PrecedenceRespected()
    {
        // false and false or true == true; false and (false or true) == false.
        Assert.True(FilterParser.Parse("tags has \"x\" and tags has \"y\" or tags has \"eu\"").Matches(Gateway));
        Assert.False(FilterParser.Parse("tags has \"x\" and (tags has \"y\" or tags has \"eu\")").Matches(Gateway));
    }

    [Theory]
    [InlineData("hardware = \"gw-x2\"", "write == or !=")]
    [InlineData("hardware == gw-x2", "double quotes")]
    [InlineData("colour == \"red\"", "unknown field \"colour\"")]
    [InlineData("hardware == \"gw-x2\" and", "the filter ends")]
    [InlineData("hardware == \"gw-x2", "not closed")]
    [InlineData("(tags has \"eu\"", "\")\"")]
    [InlineData("security_counter < \"5\"", "integer")]
    [InlineData("tags == \"eu\"", "\"has\"")]
    [InlineData("hardware == \"a\" \"b\"", "position 17")]
    [InlineData("hardware == \"a\" ; drop", "unexpected character ';'")]
    public void Parse_InvalidFilter_SaysWhereAndWhat(string filter, string fragment)
    {
        var error = Assert.Throws<FilterException>(() => FilterParser.Parse(filter));

        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }
}
