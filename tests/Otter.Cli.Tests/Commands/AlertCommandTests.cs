using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Otter.Cli.Tests.TestSupport;
using Otter.Protocol;
using Otter.Server.Alerts;
using Otter.Server.Data;

namespace Otter.Cli.Tests.Commands;

public sealed class AlertCommandTests(ManagementServer server) : IClassFixture<ManagementServer>
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task AddWebhook_SecretInVariable_AddedAndListed()
    {
        var url = $"https://hooks.example/{ManagementServer.Unique("otter")}";

        var added = await RunWithSecretAsync(Secret, "alert", "add-webhook", url, "--secret-env", "HOOK_SECRET");
        var json = await RunWithSecretAsync(Secret, "alert", "add-webhook", url + "/json", "--secret-env", "HOOK_SECRET", "--json");
        var table = await server.RunOkAsync("alert", "webhooks");
        var listed = await server.RunOkAsync("alert", "webhooks", "--json");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Matches($@"^added webhook \d+: {Regex.Escape(url)}; alerts are signed with the secret from \$HOOK_SECRET \(header X-Otter-Signature\)\.\n$", added.Output);
        Assert.DoesNotContain(Secret, added.Output, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        var webhook = JsonSerializer.Deserialize(json.Output, ProtocolJsonContext.Default.WebhookView)!;
        Assert.Equal(url + "/json", webhook.Url);
        Assert.DoesNotContain("secret", json.Output, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("ID ", table.Output, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{webhook.Id} +{Regex.Escape(webhook.Url)} +\d{{4}}-", table.Output);
        Assert.Contains(JsonSerializer.Deserialize(listed.Output, ProtocolJsonContext.Default.ListWebhookView)!, w => w.Id == webhook.Id && w.Url == webhook.Url);
    }

    [Fact]
    public async Task AddWebhook_VariableUnset_Exit2()
    {
        var result = await server.RunAsync("alert", "add-webhook", "https://hooks.example/x", "--secret-env", "HOOK_SECRET");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: environment variable HOOK_SECRET is not set; export the webhook secret in it first, e.g. export HOOK_SECRET=$(openssl rand -hex 32).\n", result.Error);
    }

    [Fact]
    public async Task AddWebhook_SecretTooShort_Exit2()
    {
        var result = await RunWithSecretAsync("short-secret", "alert", "add-webhook", "https://hooks.example/x", "--secret-env", "HOOK_SECRET");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: environment variable HOOK_SECRET holds 12 characters; a webhook secret needs at least 16, e.g. export HOOK_SECRET=$(openssl rand -hex 32).\n", result.Error);
    }

    [Fact]
    public async Task AddWebhook_SecretGivenInsteadOfName_Exit2WithoutEchoingIt()
    {
        var result = await server.RunAsync("alert", "add-webhook", "https://hooks.example/x", "--secret-env", "s3cr3t-value!-0123456789");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("otter: --secret-env takes the name of an environment variable (letters, digits and _), not the secret;", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddWebhook_NotHttpUrl_Exit2WithServerMessage()
    {
        var result = await RunWithSecretAsync(Secret, "alert", "add-webhook", "ftp://hooks.example/x", "--secret-env", "HOOK_SECRET");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("otter: the server refused (400 Bad Request): webhook URL ftp://hooks.example/x is not an absolute http(s) URL.\n", result.Error);
    }

    [Fact]
    public async Task List_RaisedAlert_ShownWithDeliveryPerWebhook()
    {
        var added = await RunWithSecretAsync(Secret, "alert", "add-webhook", "https://hooks.example/" + ManagementServer.Unique("list"), "--secret-env", "HOOK_SECRET", "--json");
        Assert.True(added.ExitCode == 0, added.ToString());
        var sink = JsonSerializer.Deserialize(added.Output, ProtocolJsonContext.Default.WebhookView)!;
        var subject = ManagementServer.Unique("device");
        using (var scope = server.Server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OtterDbContext>();
            var alerts = scope.ServiceProvider.GetRequiredService<AlertService>();
            await alerts.RaiseAsync(db, AlertKinds.DeviceRolledBack, AlertKinds.Warning, subject, $"device {subject} rolled back", new Dictionary<string, string>(), "test:" + subject, CancellationToken.None);
        }

        var human = await server.RunOkAsync("alert", "list");
        var json = await server.RunOkAsync("alert", "list", "--json");

        Assert.StartsWith("ID ", human.Output, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^\d+ +\S+ \S+ +warning +device\.rolled-back +{subject} +.*(pending|delivered|failed).* +device {subject} rolled back$", human.Output);
        var alert = Assert.Single(JsonSerializer.Deserialize(json.Output, ProtocolJsonContext.Default.ListAlertView)!, a => a.Alert.Subject == subject);
        Assert.Contains(alert.Deliveries, d => d.SinkId == sink.Id);
    }

    private Task<CliResult> RunWithSecretAsync(string secret, params string[] args)
    {
        var runner = new OtterRunner(TimeProvider.System) { Variables = new Dictionary<string, string> { ["HOOK_SECRET"] = secret } };
        return runner.RunAsync([.. args, .. server.ConnectionArguments(server.Server.AdminKey)]);
    }
}
