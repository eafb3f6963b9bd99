using Otter.Cli.Tests.TestSupport;

namespace Otter.Cli.Tests.Commands;

public sealed class ParseErrorTests
{
    [Theory]
    [InlineData("repo", "init")]
    [InlineData("repo", "add", "dir")]
    [InlineData("keys", "generate")]
    [InlineData("repo", "frobnicate")]
    [InlineData("repo", "rotate", "dir", "--role", "admin", "--new-key", "k", "--root-key", "r")]
    public async Task Run_BadUsage_Exit2WithHint(params string[] args)
    {
        var result = await new OtterRunner().RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
    }
}
