using Otter.Trust.Tuf.Repository;

namespace Otter.Trust.Tests.Tuf.Repository;

public sealed class TargetNamesTests
{
    [Theory]
    [InlineData("fw.bin")]
    [InlineData("fw/gw-x2/image.bin")]
    [InlineData("model.v2.onnx")]
    public void Check_ValidName_ReturnsNull(string name) => Assert.Null(TargetNames.Check(name));

    [Theory]
    [InlineData("")]
    [InlineData("../x")]
    [InlineData("a/../x")]
    [InlineData("a/./x")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("a\\b")]
    [InlineData("a\nb")]
    public void Check_UnsafeName_ReturnsReason(string name) => Assert.NotNull(TargetNames.Check(name));

    [Theory]
    [InlineData("fw.bin", "abc", "abc.fw.bin")]
    [InlineData("fw/gw/image.bin", "abc", "fw/gw/abc.image.bin")]
    public void HashPrefixedPath_Name_PrefixesBaseName(string name, string hash, string expected) =>
        Assert.Equal(expected, TargetNames.HashPrefixedPath(name, hash));
}
