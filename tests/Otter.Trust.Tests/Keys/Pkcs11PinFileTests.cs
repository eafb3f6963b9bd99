using Otter.Trust.Keys;

namespace Otter.Trust.Tests.Keys;

public sealed class Pkcs11PinFileTests
{
    [Fact]
    public void TryCreate_Pin_ReadableTwiceFromProcPath()
    {
        const string pin = "p;n?&%41 x";

        using var file = Pkcs11PinFile.TryCreate(pin);

        if (!OperatingSystem.IsLinux())
        {
            Assert.Null(file);
            return;
        }

        Assert.NotNull(file);
        Assert.Matches("^/proc/self/fd/[0-9]+$", file.Path);

        // libp11 opens the file once per lookup attempt; each open starts at the beginning.
        Assert.Equal(pin, File.ReadAllText(file.Path));
        Assert.Equal(pin, File.ReadAllText(file.Path));
    }

    [Theory]
    [InlineData("12\n34")]
    [InlineData("12\r34")]
    public void TryCreate_PinWithLineBreak_Null(string pin)
    {
        Assert.Null(Pkcs11PinFile.TryCreate(pin));
    }
}
