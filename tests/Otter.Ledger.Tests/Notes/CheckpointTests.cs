using Otter.Ledger.Notes;

namespace Otter.Ledger.Tests.Notes;

public sealed class CheckpointTests
{
    private const string Root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    [Fact]
    public void Parse_C2spCheckpoint_ReadsOriginSizeRootAndExtensions()
    {
        var checkpoint = Checkpoint.Parse($"example.com/log\n42\n{Root}\nextension one\n\u2014 not a signature\n");

        Assert.Equal("example.com/log", checkpoint.Origin);
        Assert.Equal(42, checkpoint.Size);
        Assert.Equal(Convert.FromBase64String(Root), checkpoint.RootHash);
        Assert.Equal(["extension one", "\u2014 not a signature"], checkpoint.Extensions);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(70000L)]
    [InlineData(long.MaxValue)]
    public void ToText_ThenParse_RoundTrips(long size)
    {
        var root = new byte[32];
        new Random(1).NextBytes(root);
        var checkpoint = new Checkpoint("test.example/otter-log", size, root, size == 1 ? ["ext"] : []);

        var text = checkpoint.ToText();
        var parsed = Checkpoint.Parse(text);

        Assert.Equal($"test.example/otter-log\n{size}\n{Convert.ToBase64String(root)}\n" + (size == 1 ? "ext\n" : string.Empty), text);
        Assert.Equal(checkpoint.Origin, parsed.Origin);
        Assert.Equal(checkpoint.Size, parsed.Size);
        Assert.Equal(checkpoint.RootHash, parsed.RootHash);
        Assert.Equal(checkpoint.Extensions, parsed.Extensions);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "no final newline", $"origin\n5\n{Root}" },
        { "two lines", "origin\n5\n" },
        { "empty", string.Empty },
        { "empty origin", $"\n5\n{Root}\n" },
        { "size with leading zero", $"origin\n05\n{Root}\n" },
        { "size 00", $"origin\n00\n{Root}\n" },
        { "negative size", $"origin\n-1\n{Root}\n" },
        { "size with plus", $"origin\n+5\n{Root}\n" },
        { "size with space", $"origin\n 5\n{Root}\n" },
        { "size with trailing space", $"origin\n5 \n{Root}\n" },
        { "empty size", $"origin\n\n{Root}\n" },
        { "hex size", $"origin\n0x5\n{Root}\n" },
        { "non-ASCII digits", $"origin\n\u0665\n{Root}\n" },
        { "size over int64", $"origin\n9223372036854775808\n{Root}\n" },
        { "size of 20 digits", $"origin\n10000000000000000000\n{Root}\n" },
        { "root not base64", "origin\n5\nnot*base64*at*all\n" },
        { "empty root", "origin\n5\n\n" },
        { "root of 31 bytes", $"origin\n5\n{Convert.ToBase64String(new byte[31])}\n" },
        { "root of 33 bytes", $"origin\n5\n{Convert.ToBase64String(new byte[33])}\n" },
        { "root of 64 bytes", $"origin\n5\n{Convert.ToBase64String(new byte[64])}\n" },
        { "empty extension line", $"origin\n5\n{Root}\n\nextension\n" },
        { "trailing blank line", $"origin\n5\n{Root}\n\n" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_Malformed_ThrowsLedgerException(string why, string text)
    {
        var ex = Assert.Throws<LedgerException>(() => Checkpoint.Parse(text));

        Assert.False(string.IsNullOrEmpty(ex.Message), why);
    }

    [Fact]
    public void Parse_SizeWithLeadingZero_MessageSaysWhy()
    {
        var ex = Assert.Throws<LedgerException>(() => Checkpoint.Parse($"origin\n007\n{Root}\n"));

        Assert.Contains("leading zeros", ex.Message, StringComparison.Ordinal);
    }
}
