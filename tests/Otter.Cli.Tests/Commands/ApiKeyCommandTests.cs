using Otter.Cli.Tests.TestSupport;
using Otter.Protocol.Management;

namespace Otter.Cli.Tests.Commands;

public sealed class ApiKeyCommandTests(ManagementServer server) : IClassFixture<ManagementServer>
{
    [Fact]
    public async Task Create_AuditorRole_PrintsKeyOnceThatAuthenticates()
    {
        var name = ManagementServer.Unique("auditor");

        var result = await server.RunAsync("api-key", "create", "--name", name, "--role", Roles.Auditor);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Equal($"created API key {name} with role auditor. It is shown once; only its hash is stored:", lines[0]);
        Assert.StartsWith("api-key: otter_", lines[1], StringComparison.Ordinal);
        var key = lines[1]["api-key: ".Length..];
        var verify = await server.RunAsAsync(key, "audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task Create_UnknownRole_Exit2NamingRoles()
    {
        var result = await server.RunAsync("api-key", "create", "--name", "x", "--role", "root");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: --role root is not one of admin, release-manager, operator, auditor.\n", result.Error);
    }

    [Fact]
    public async Task Create_WithOperatorKey_Exit1Forbidden()
    {
        var operatorKey = await server.CreateKeyAsync(Roles.Operator);

        var result = await server.RunAsAsync(operatorKey, "api-key", "create", "--name", "x", "--role", Roles.Admin);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(403 Forbidden): the API key operator-", result.Error, StringComparison.Ordinal);
    }
}
