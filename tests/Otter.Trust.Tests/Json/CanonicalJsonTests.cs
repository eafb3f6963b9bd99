using System.Text;
using System.Text.Json;
using Otter.Trust.Json;

namespace Otter.Trust.Tests.Json;

public sealed class CanonicalJsonTests
{
    [Theory]
    [InlineData("""{"b":1,"a":[true,false,null],"c":{"z":"x","y":-5}}""", """{"a":[true,false,null],"b":1,"c":{"y":-5,"z":"x"}}""")]
    [InlineData("""  { "k" : "quote \" back \\ slash" }  """, """{"k":"quote \" back \\ slash"}""")]
    [InlineData("""{"k":"tab\tnew\nline"}""", "{\"k\":\"tab\tnew\nline\"}")]
    [InlineData("""{"k":"\u00e9\u4e2d"}""", "{\"k\":\"é中\"}")]
    [InlineData("[]", "[]")]
    public void Serialize_ValidJson_MatchesSecuresystemslibForm(string input, string expected)
    {
        using var doc = JsonDocument.Parse(input);

        var actual = Encoding.UTF8.GetString(CanonicalJson.Serialize(doc.RootElement));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Serialize_KeysOutsideBmp_SortedByCodePoint()
    {
        // U+1F600 (a surrogate pair) sorts after U+FF21 by code point, but before it by UTF-16 units.
        using var doc = JsonDocument.Parse("{\"\uFF21\":1,\"\U0001F600\":2}");

        var actual = Encoding.UTF8.GetString(CanonicalJson.Serialize(doc.RootElement));

        Assert.Equal("{\"\uFF21\":1,\"\U0001F600\":2}", actual);
    }

    [Theory]
    [InlineData("""{"n":1.5}""")]
    [InlineData("""{"n":1e3}""")]
    [InlineData("""{"n":123456789012345678901234567890}""")]
    public void Serialize_NonInteger_Throws(string input)
    {
        using var doc = JsonDocument.Parse(input);

        var ex = Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Serialize(doc.RootElement));

        Assert.Contains("$.n", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StrictParseOptions_DuplicateKey_Rejected()
    {
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse("""{"a":1,"a":2}""", CanonicalJson.StrictParseOptions));
    }
}
