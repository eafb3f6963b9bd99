using System.Security.Cryptography;
using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

public sealed class DelegationMatcherTests
{
    [Theory]
    [InlineData("fw/*", "fw/a.bin", true)]
    [InlineData("fw/*", "fw/a/b.bin", false)]
    [InlineData("*", "a.bin", true)]
    [InlineData("*", "dir/a.bin", false)]
    [InlineData("*/*", "dir/a.bin", true)]
    [InlineData("fw/?.bin", "fw/a.bin", true)]
    [InlineData("fw/?.bin", "fw/ab.bin", false)]
    [InlineData("fw/?", "fw/", false)]
    [InlineData("fw/[ab].bin", "fw/b.bin", true)]
    [InlineData("fw/[!ab].bin", "fw/b.bin", false)]
    [InlineData("fw/[!ab].bin", "fw/c.bin", true)]
    [InlineData("fw/[a-c]*", "fw/cat", true)]
    [InlineData("fw/[a-c]*", "fw/dog", false)]
    [InlineData("fw/[", "fw/[", true)]
    [InlineData("fw/image.bin", "fw/image.bin", true)]
    [InlineData("FW/*", "fw/a", false)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "aXbY", false)]
    [InlineData("*.bin", ".bin", true)]
    [InlineData("fw/**", "fw/a/b", false)]
    public void IsPathMatch_ShellPattern_MatchesPerSegment(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, DelegationMatcher.IsPathMatch(pattern, path));
    }

    [Fact]
    public void IsTrustedFor_PathHashPrefix_MatchesSha256OfPath()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(TestData.Bytes("fw/image.bin")));
        var matching = Role(prefixes: [hash[..2]]);
        var other = Role(prefixes: [hash[0] == '0' ? "1" : "0"]);

        Assert.True(DelegationMatcher.IsTrustedFor(matching, "fw/image.bin"));
        Assert.False(DelegationMatcher.IsTrustedFor(other, "fw/image.bin"));
    }

    [Fact]
    public void IsTrustedFor_AnyOfSeveralPatterns_Matches()
    {
        var role = Role(paths: ["apps/*", "fw/*"]);

        Assert.True(DelegationMatcher.IsTrustedFor(role, "fw/x"));
        Assert.False(DelegationMatcher.IsTrustedFor(role, "models/x"));
    }

    private static DelegatedRole Role(IReadOnlyList<string>? paths = null, IReadOnlyList<string>? prefixes = null) => new()
    {
        Name = "r",
        KeyIds = [],
        Threshold = 1,
        Paths = paths,
        PathHashPrefixes = prefixes,
    };
}
